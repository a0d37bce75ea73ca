// Owns the `[sim:...]` markers that tests and demos put inside a user prompt to steer the
// simulated model: latency override, tool calls (Write/Bash), injected HTTP errors, hangs,
// the winner a judge names, and fixed token counts per model call (`[sim:usage]`, for budgets).
// Parsing is pure; the server decides what to do with the result.

/** A tool call the simulated model should make before it answers with text. */
export type SimToolCall = { kind: 'write'; path: string } | { kind: 'bash'; command: string };

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
    case 'write':
      if (arg) out.tools.push({ kind: 'write', path: arg });
      return;
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
