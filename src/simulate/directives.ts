// Owns the `[sim:...]` markers that tests and demos put inside a user prompt to steer the
// simulated model: latency override, tool calls (Read/Edit/Write/Bash), injected HTTP errors,
// hangs, the winner a judge names, and fixed token counts per model call (`[sim:usage]`, for budgets).
// Parsing is pure; the server decides what to do with the result.

/** A tool call the simulated model should make before it answers with text. */
export type SimToolCall =
  | { kind: 'write'; path: string; content?: string }
  | { kind: 'read'; path: string }
  | { kind: 'edit'; path: string; oldText: string; newText: string }
  | { kind: 'bash'; command: string };

/** An injected HTTP failure: `times` undefined means "fail every time". */
export interface SimStatus {
  code: number;
  times?: number;
}

export interface Directives {
  latencyMs?: number;
  tools: SimToolCall[];
  status?: SimStatus;
  hang: boolean;
  /** `[sim:winner <id>]`: a judge's answer names this winner (see reply.ts). */
  winner?: string;
  /** `[sim:usage <input> <output>]`: every call of this prompt reports exactly these tokens. */
  usage?: { inputTokens: number; outputTokens: number };
}

// One marker: `[sim:<name>]` or `[sim:<name> <arg>]`. The argument cannot contain `]` or a
// newline, so a Bash command ends at the first `]` on its line (keeps several markers on one
// line unambiguous).
const MARKER = /\[sim:([a-z]+)(?:[ \t]+([^\]\n]*))?\]/gi;

/** Reads every marker in `text`; unknown or malformed markers are ignored (never fatal). */
export function parseDirectives(text: string): Directives {
  const out: Directives = { tools: [], hang: false };
  for (const match of text.matchAll(MARKER)) {
    applyMarker(out, (match[1] ?? '').toLowerCase(), (match[2] ?? '').trim());
  }
  return out;
}

function applyMarker(out: Directives, name: string, arg: string): void {
  switch (name) {
    case 'latency': {
      const ms = parseDuration(arg);
      if (ms !== undefined) out.latencyMs = ms;
      return;
    }
    case 'write': {
      // `[sim:write <path>]` or `[sim:write <path> <content>]` (\n in the content is a newline).
      const [path, content] = splitFirstWord(arg);
      if (path) out.tools.push(content === undefined ? { kind: 'write', path } : { kind: 'write', path, content: `${unescape(content)}\n` });
      return;
    }
    case 'read':
      if (arg) out.tools.push({ kind: 'read', path: arg });
      return;
    case 'edit': {
      // `[sim:edit <path> <old>=><new>]`: claude's Edit tool insists the file was read first,
      // so the model reads it, then edits it, as a real one would.
      const [path, change] = splitFirstWord(arg);
      const arrow = change?.indexOf('=>') ?? -1;
      if (!path || change === undefined || arrow <= 0) return;
      out.tools.push({ kind: 'read', path }, { kind: 'edit', path, oldText: unescape(change.slice(0, arrow)), newText: unescape(change.slice(arrow + 2)) });
      return;
    }
    case 'bash':
      if (arg) out.tools.push({ kind: 'bash', command: arg });
      return;
    case 'status': {
      const status = parseStatus(arg);
      if (status) out.status = status;
      return;
    }
    case 'hang':
      out.hang = true;
      return;
    case 'winner':
      if (arg) out.winner = arg;
      return;
    case 'usage': {
      const m = /^(\d+)\s+(\d+)$/.exec(arg);
      if (m) out.usage = { inputTokens: Number(m[1]), outputTokens: Number(m[2]) };
      return;
    }
    default:
      return;
  }
}

/** "a.txt rest of it" -> ["a.txt", "rest of it"]; no second part -> [word, undefined]. */
function splitFirstWord(arg: string): [string, string | undefined] {
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(arg);
  if (!match) return ['', undefined];
  return [match[1]!, match[2] === undefined || match[2] === '' ? undefined : match[2]];
}

/** A marker cannot hold a newline, so `\n` stands for one (and `\\` for a backslash). */
function unescape(text: string): string {
  return text.replace(/\\(n|\\)/g, (_, escaped: string) => (escaped === 'n' ? '\n' : '\\'));
}

/** `3s`, `1.5s`, `500ms`, bare `250` (milliseconds). */
export function parseDuration(arg: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(arg);
  if (!m) return undefined;
  const value = Number(m[1]);
  return Math.round((m[2] ?? 'ms').toLowerCase() === 's' ? value * 1000 : value);
}

/** `429`, `529 x2`. Only real HTTP error codes (400–599) are accepted. */
function parseStatus(arg: string): SimStatus | undefined {
  const m = /^(\d{3})(?:\s+x(\d+))?$/i.exec(arg);
  if (!m) return undefined;
  const code = Number(m[1]);
  if (code < 400 || code > 599) return undefined;
  return m[2] === undefined ? { code } : { code, times: Number(m[2]) };
}

/** The prompt as a human wrote it, without markers, so replies can quote it. */
export function stripDirectives(text: string): string {
  return text
    .replace(MARKER, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
