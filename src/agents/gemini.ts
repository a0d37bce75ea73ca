// The Gemini CLI adapter: builds `gemini --prompt=<p> -o stream-json` (with `--resume <id>` to
// continue), reads its JSONL events (init, message, tool_use, tool_result, result) and judges
// the turn by the result line and the exit code. Gemini reports tokens but no cost.
// Everything Gemini-specific lives here and in gemini-home.ts (its private config home).

import type { ProcessExit } from '../process/exit.js';
import type { AgentTask, PermissionMode } from '../types.js';
import type { AgentAdapter, AgentOutcome, AgentProgress, CommandSpec, ParsedSignal, TurnOptions } from './adapter.js';
import { prepareGeminiHome } from './gemini-home.js';
import { parseJsonObjectLine } from './json-line.js';
import { describeExit, judgeProcessFailure } from './process-outcome.js';
import { promptGoesOnStdin } from './prompt-delivery.js';
import { encodeRawBytes } from '../text/raw-bytes.js';

/**
 * argv for one turn. The prompt is one `--prompt=<text>` argument: yargs would read a separate
 * value starting with `-` as an option (measured). A prompt no argument can carry goes on
 * stdin without -p, which the CLI then takes as the whole prompt. Trust is granted per run
 * (--skip-trust) rather than stored: herd's workspaces are new directories.
 */
export function buildGeminiArgs(task: AgentTask, turn: TurnOptions): string[] {
  const args = promptGoesOnStdin(task.prompt) ? [] : [`--prompt=${task.prompt}`];
  args.push('--output-format', 'stream-json', '--skip-trust', '--approval-mode', approvalMode(task.permissionMode));
  if (task.model !== undefined) args.push('--model', task.model);
  if (turn.resumeSessionId !== undefined) args.push('--resume', turn.resumeSessionId);
  if (task.addDirs?.length) args.push('--include-directories', task.addDirs.join(','));
  return args;
}

/** Claude's permission modes in gemini's words: default offers read-only tools, auto_edit adds file edits, yolo adds the shell. */
function approvalMode(mode: PermissionMode | undefined): string {
  switch (mode) {
    case 'acceptEdits':
      return 'auto_edit';
    case 'bypassPermissions':
      return 'yolo';
    case 'plan':
      return 'plan';
    default:
      return 'default';
  }
}

interface GeminiEvent {
  type?: unknown;
  session_id?: unknown;
  model?: unknown;
  role?: unknown;
  content?: unknown;
  tool_name?: unknown;
  status?: unknown;
  message?: unknown;
  error?: { message?: unknown; code?: unknown };
  stats?: Record<string, unknown>;
}

const asNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const EXCERPT_CHARS = 80;
/** Only the end of a long streamed answer is kept: memory stays bounded whatever the model writes. */
const MAX_RESULT_CHARS = 256 * 1024;

/** Parse one stream-json line into `into`. Never throws: stray lines are counted. */
export function parseGeminiLine(line: string, into: AgentProgress, version?: string): ParsedSignal[] {
  if (line.length === 0) return [];
  const event = parseJsonObjectLine<GeminiEvent>(line);
  if (event === undefined) {
    into.garbageLines += 1;
    return [];
  }
  const type = asString(event.type) ?? 'unknown';
  const role = asString(event.role);
  const output: ParsedSignal = { kind: 'output', type: role ? `${type}/${role}` : type };
  const signals: ParsedSignal[] = [output];
  switch (type) {
    case 'init': {
      const sessionId = asString(event.session_id);
      const model = asString(event.model);
      if (model !== undefined) into.model = model;
      if (version !== undefined) into.agentVersion = version;
      if (sessionId !== undefined) {
        into.sessionId = sessionId;
        const signal: ParsedSignal = { kind: 'session', sessionId };
        if (model !== undefined) signal.model = model;
        if (version !== undefined) signal.agentVersion = version;
        signals.push(signal);
      }
      break;
    }
    case 'message': {
      const content = asString(event.content);
      if (role === 'assistant' && content !== undefined) {
        // Deltas of one answer add up; the text after the last tool call is the turn's answer.
        const text = (into.result ?? '') + content;
        into.result = text.length > MAX_RESULT_CHARS ? text.slice(-MAX_RESULT_CHARS) : text;
        const excerpt = into.result.replace(/\s+/g, ' ').trim();
        if (excerpt) output.excerpt = excerpt.slice(-EXCERPT_CHARS);
      }
      break;
    }
    case 'tool_use':
      delete into.result;
      signals.push({ kind: 'tool', tool: asString(event.tool_name) ?? 'tool' });
      break;
    case 'error': {
      const message = asString(event.message);
      if (message !== undefined) into.errors = [...(into.errors ?? []), message].slice(-10);
      break;
    }
    case 'result':
      readResult(event, into);
      break;
    default:
      break;
  }
  return signals;
}

function readResult(event: GeminiEvent, into: AgentProgress): void {
  into.sawResult = true;
  into.numTurns = 1;
  const status = asString(event.status) ?? 'error';
  into.subtype = status;
  into.isError = status !== 'success';
  const message = asString(event.error?.message);
  if (message !== undefined) into.errors = [...(into.errors ?? []), message].slice(-10);
  const stats = event.stats;
  if (stats) {
    // input_tokens counts the cached part too; `input` is what was not cached (measured).
    const cached = asNumber(stats.cached) ?? 0;
    into.usage = {
      inputTokens: asNumber(stats.input) ?? Math.max(0, (asNumber(stats.input_tokens) ?? 0) - cached),
      outputTokens: asNumber(stats.output_tokens) ?? 0,
      cacheReadTokens: cached,
      cacheCreationTokens: 0,
    };
    const durationMs = asNumber(stats.duration_ms);
    if (durationMs !== undefined) into.durationApiMs = durationMs;
  }
}

/**
 * gemini's fatal exits (bundle 0.61.0): 41 auth, 42 bad input (unknown --resume id), 44 sandbox,
 * 52 config, 53 session turn limit, 54 tool failure, 55 untrusted folder, 130 cancelled. An API
 * error with -o json/stream-json exits with the HTTP status mod 256 (429 → 173, 503 → 247).
 */
const FATAL_EXITS: Record<number, string> = {
  41: 'authentication failed',
  42: 'bad input (an unknown session to resume?)',
  44: 'sandbox error',
  52: 'configuration error',
  53: 'the session reached its turn limit (maxTurns)',
  54: 'a tool failed fatally',
  55: 'the folder is not trusted',
  130: 'cancelled',
};

export function judgeGemini(progress: AgentProgress, exit: ProcessExit): AgentOutcome {
  const killed = judgeProcessFailure(exit);
  if (killed) return killed;
  if (progress.sawResult && !progress.isError && exit.exitCode === 0) return { status: 'succeeded' };
  const status = apiStatusOf(progress, exit);
  const detail = firstLine(progress.errors?.at(-1) ?? lastLine(exit.stderrTail));
  if (status === 429) return { status: 'failed', error: { reason: 'rate-limit', apiStatus: 429, message: `API error 429: ${detail}` } };
  if (status !== undefined) return { status: 'failed', error: { reason: 'api', apiStatus: status, message: `API error ${status}: ${detail}` } };
  const fatal = exit.exitCode === undefined ? undefined : FATAL_EXITS[exit.exitCode];
  if (fatal !== undefined) return { status: 'failed', error: { reason: 'exit', message: `gemini: ${fatal}${detail ? `: ${detail}` : ''}` } };
  if (/fetch failed|ECONNREFUSED|ECONNRESET|ETIMEDOUT|network/i.test(`${detail}\n${exit.stderrTail}`))
    return { status: 'failed', error: { reason: 'api', message: `connection error: ${detail}` } };
  if (exit.exitCode === 0 && !progress.sawResult) {
    const garbage = progress.garbageLines > 0 ? ` (${progress.garbageLines} unparseable line${progress.garbageLines === 1 ? '' : 's'})` : '';
    return { status: 'failed', error: { reason: 'protocol', message: `gemini exited 0 without a result line${garbage}` } };
  }
  if (progress.sawResult) return { status: 'failed', error: { reason: 'exit', message: `gemini reported an error: ${detail}` } };
  return { status: 'failed', error: { reason: 'exit', message: describeExit(exit, 'gemini') } };
}

/** The HTTP status of an API failure: named in the error text, else encoded in the exit code. */
function apiStatusOf(progress: AgentProgress, exit: ProcessExit): number | undefined {
  const text = (progress.errors ?? []).join('\n');
  const named = /"code"\s*:\s*(\d{3})\b/.exec(text) ?? /\bstatus(?: code)?:?\s*(\d{3})\b/i.exec(text);
  if (named) return Number(named[1]);
  const code = exit.exitCode;
  if (code !== undefined && code >= 128 && FATAL_EXITS[code] === undefined && code + 256 >= 400 && code + 256 < 600) return code + 256;
  return undefined;
}

const firstLine = (text: string) => text.trim().split('\n')[0]!.slice(0, 300);
const lastLine = (text: string) => text.trim().split('\n').pop()!.slice(0, 300);

export function createGeminiAdapter(bin: string, version?: string): AgentAdapter {
  return {
    name: 'gemini',
    ...(version === undefined ? {} : { version }),
    command(task: AgentTask, turn: TurnOptions): CommandSpec {
      const spec: CommandSpec = { file: bin, args: buildGeminiArgs(task, turn), env: { ...task.env } };
      if (promptGoesOnStdin(task.prompt)) spec.input = encodeRawBytes(task.prompt);
      return spec;
    },
    parseLine: (line, into) => parseGeminiLine(line, into, version),
    judge: judgeGemini,
    prepare: prepareGeminiHome,
  };
}
