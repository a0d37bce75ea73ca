// The Claude Code adapter: builds `claude -p ... --output-format stream-json --verbose`,
// reads its stream-json lines, and judges the run by the final `result` line (by
// `is_error`, not `subtype`: an API failure still says subtype "success").
// Everything Claude-specific lives here and in claude-bin.ts.

import type { AgentActivity } from '../events.js';
import type { ProcessExit } from '../process/exit.js';
import type { AgentTask, Usage } from '../types.js';
import type { AgentAdapter, AgentOutcome, AgentProgress, CommandSpec, ParsedSignal, TurnOptions } from './adapter.js';
import { parseJsonObjectLine } from './json-line.js';
import { describeExit, judgeProcessFailure } from './process-outcome.js';
import { promptGoesOnStdin } from './prompt-delivery.js';
import { encodeRawBytes } from '../text/raw-bytes.js';

/**
 * Build argv for one turn. The prompt goes last, after `--`, so a prompt starting with `-` is
 * not read as an option; a prompt no argument can carry goes on stdin instead (see below).
 */
export function buildClaudeArgs(task: AgentTask, turn: TurnOptions): string[] {
  const args = ['-p', '--output-format', 'stream-json', '--verbose', ...buildTaskFlags(task, turn)];
  if (!promptGoesOnStdin(task.prompt)) args.push('--', task.prompt);
  return args;
}

/**
 * Build argv for a warm process: the prompts come on stdin, one stream-json user message per
 * turn, and each turn ends with its own `result` line (so it never takes a prompt argument).
 */
export function buildWarmClaudeArgs(task: AgentTask, turn: TurnOptions): string[] {
  return ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose', ...buildTaskFlags(task, turn)];
}

/** One turn of a warm process: a user message as one JSON line (the prompt needs no quoting or `--` here). */
export function encodeClaudeUserMessage(prompt: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: prompt } })}\n`;
}

function buildTaskFlags(task: AgentTask, turn: TurnOptions): string[] {
  const args: string[] = [];
  const add = (flag: string, value: string | number | undefined) => {
    if (value !== undefined) args.push(flag, String(value));
  };
  add('--resume', turn.resumeSessionId);
  add('--model', task.model);
  add('--system-prompt', task.systemPrompt);
  add('--append-system-prompt', task.appendSystemPrompt);
  if (task.allowedTools?.length) add('--allowedTools', task.allowedTools.join(','));
  if (task.disallowedTools?.length) add('--disallowedTools', task.disallowedTools.join(','));
  add('--permission-mode', task.permissionMode);
  add('--max-turns', task.maxTurns);
  add('--max-budget-usd', task.maxBudgetUsd);
  for (const dir of task.addDirs ?? []) add('--add-dir', dir);
  if (task.jsonSchema) add('--json-schema', JSON.stringify(task.jsonSchema));
  return args;
}

/**
 * In a warm process, `total_cost_usd` and `duration_api_ms` of each result line are sums
 * over the process's life (measured with 2.1.197), while `usage`, `num_turns` and
 * `duration_ms` are the turn's own: keep only this turn's share of the sums.
 */
export function claudeTurnShare(progress: AgentProgress, previous: AgentProgress | undefined): AgentProgress {
  if (!previous) return progress;
  const share: AgentProgress = { ...progress };
  const minus = (now: number | undefined, before: number | undefined) =>
    now === undefined || before === undefined ? now : Math.max(0, Math.round((now - before) * 1e10) / 1e10);
  const costUsd = minus(progress.costUsd, previous.costUsd);
  const durationApiMs = minus(progress.durationApiMs, previous.durationApiMs);
  if (costUsd !== undefined) share.costUsd = costUsd;
  if (durationApiMs !== undefined) share.durationApiMs = durationApiMs;
  return share;
}

interface StreamLine {
  type?: unknown;
  subtype?: unknown;
  session_id?: unknown;
  model?: unknown;
  claude_code_version?: unknown;
  message?: { content?: unknown; id?: unknown; model?: unknown; usage?: Record<string, unknown> };
  result?: unknown;
  structured_output?: unknown;
  is_error?: unknown;
  /** On an assistant line claude made up itself (model "<synthetic>"): why there was no real answer. */
  error?: unknown;
  api_error_status?: unknown;
  errors?: unknown;
  total_cost_usd?: unknown;
  usage?: Record<string, unknown>;
  num_turns?: unknown;
  duration_ms?: unknown;
  duration_api_ms?: unknown;
  attempt?: unknown;
  error_status?: unknown;
  retry_delay_ms?: unknown;
}

const asNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const USER_LINE_PREFIX = '{"type":"user"';

/** Parse one stream-json line into `into`; returns what listeners may want to hear about. Never throws. */
export function parseClaudeLine(line: string, into: AgentProgress): ParsedSignal[] {
  if (line.length === 0) return [];
  // Tool results echoed back as "user" lines can be whole files; nothing in them is needed.
  // A user line is a tool's result going back to the model: it is thinking again.
  if (line.startsWith(USER_LINE_PREFIX)) return [{ kind: 'output', type: 'user', activity: 'thinking' }];
  const parsed = parseJsonObjectLine<StreamLine>(line);
  if (parsed === undefined) {
    into.garbageLines += 1;
    return [];
  }
  const type = asString(parsed.type) ?? 'unknown';
  const output: ParsedSignal = { kind: 'output', type: typeof parsed.subtype === 'string' && parsed.subtype ? `${type}/${parsed.subtype}` : type };
  const activity = activityOf(type, asString(parsed.subtype));
  if (activity) output.activity = activity;
  if (type === 'assistant') {
    const excerpt = readTextExcerpt(parsed);
    if (excerpt) output.excerpt = excerpt;
    // Without a login or key, 2.1.197 answers "Not logged in · Please run /login" itself and
    // marks that line; its result line then only says is_error, with subtype "success".
    if (parsed.error === 'authentication_failed') into.authFailed = true;
    keepPartialText(parsed, into);
  }
  const signals: ParsedSignal[] = [output];
  if (type === 'system' && parsed.subtype === 'init') signals.push(...readInit(parsed, into));
  else if (type === 'system' && parsed.subtype === 'api_retry') signals.push(readRetry(parsed, into));
  else if (type === 'assistant') signals.push(...readToolUses(parsed), ...readCallUsage(parsed));
  else if (type === 'result') readResult(parsed, into);
  return signals;
}

/** The shared word for a line: init, a message or a tool result mean the model is at work; a result line ends the turn. */
function activityOf(type: string, subtype: string | undefined): AgentActivity | undefined {
  if (type === 'result') return 'answered';
  if (type === 'assistant' || type === 'user' || (type === 'system' && subtype === 'init')) return 'thinking';
  return undefined;
}

function readInit(line: StreamLine, into: AgentProgress): ParsedSignal[] {
  const sessionId = asString(line.session_id);
  const model = asString(line.model);
  const version = asString(line.claude_code_version);
  if (model !== undefined) into.model = model;
  if (version !== undefined) into.agentVersion = version;
  if (sessionId === undefined) return [];
  into.sessionId = sessionId;
  const signal: ParsedSignal = { kind: 'session', sessionId };
  if (model !== undefined) signal.model = model;
  if (version !== undefined) signal.agentVersion = version;
  return [signal];
}

function readRetry(line: StreamLine, into: AgentProgress): ParsedSignal {
  into.apiRetries += 1;
  const signal: ParsedSignal = { kind: 'retry', attempt: asNumber(line.attempt) ?? into.apiRetries };
  const status = asNumber(line.error_status);
  const delayMs = asNumber(line.retry_delay_ms);
  if (status !== undefined) signal.status = status;
  if (delayMs !== undefined) signal.delayMs = delayMs;
  return signal;
}

function readToolUses(line: StreamLine): ParsedSignal[] {
  const content = line.message?.content;
  if (!Array.isArray(content)) return [];
  return content
    .filter(
      (block: unknown): block is { type: string; name: string; input?: unknown } =>
        isBlock(block) && block.type === 'tool_use' && typeof block.name === 'string',
    )
    .map((block) => describeToolUse(block.name, block.input));
}

/** Longer than this, a target is cut: a live line has room for a path or the start of a command. */
const TOOL_TARGET_CHARS = 200;

/** Which file (Write, Edit, Read, NotebookEdit) or command (Bash) a claude tool call works on. */
function describeToolUse(tool: string, input: unknown): ParsedSignal {
  const signal: ParsedSignal = { kind: 'tool', tool };
  if (!isBlock(input)) return signal;
  const file = asString(input.file_path) ?? asString(input.notebook_path) ?? asString(input.path);
  const command = asString(input.command);
  if (file) signal.file = boundTarget(file);
  else if (command) signal.command = boundTarget(command);
  return signal;
}

const boundTarget = (text: string) => text.trim().split('\n')[0]!.slice(0, TOOL_TARGET_CHARS);

const isBlock = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/** The assistant's latest text, whole: it is redacted before it is cut to an excerpt (a cut secret is no longer found). */
function readTextExcerpt(line: StreamLine): string | undefined {
  const content = line.message?.content;
  if (!Array.isArray(content)) return undefined;
  const text = content
    .filter((block: unknown): block is { type: string; text: string } => isBlock(block) && block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join(' ');
  return text.trim() ? text : undefined;
}

/**
 * The tokens of the model call an assistant line belongs to. Claude copies the usage of the
 * call's first stream event: input and cache tokens are final there, output tokens are a
 * placeholder (1) until the turn's result line; the line's content is what was generated.
 */
function readCallUsage(line: StreamLine): ParsedSignal[] {
  const usage = line.message?.usage;
  if (!isBlock(usage)) return [];
  const content = line.message?.content;
  const signal: ParsedSignal = {
    kind: 'usage',
    usage: readUsage(usage),
    outputChars: Array.isArray(content) ? content.reduce((sum: number, block: unknown) => sum + generatedChars(block), 0) : 0,
  };
  const messageId = asString(line.message?.id);
  const model = asString(line.message?.model);
  if (messageId !== undefined) signal.messageId = messageId;
  if (model !== undefined) signal.model = model;
  return [signal];
}

/** What the model wrote in one content block: text, thinking, or a tool call's input. */
function generatedChars(block: unknown): number {
  if (!isBlock(block)) return 0;
  if (typeof block.text === 'string') return block.text.length;
  if (typeof block.thinking === 'string') return block.thinking.length;
  if (block.type === 'tool_use') return JSON.stringify(block.input ?? {}).length + (typeof block.name === 'string' ? block.name.length : 0);
  return 0;
}

/** A stopped agent leaves no result line; its latest text is what it had got to. */
const MAX_PARTIAL_CHARS = 64 * 1024;
function keepPartialText(line: StreamLine, into: AgentProgress): void {
  const content = line.message?.content;
  if (!Array.isArray(content)) return;
  const text = content
    .filter((block: unknown): block is { type: string; text: string } => isBlock(block) && block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .join('\n');
  if (text) into.partialText = text.length > MAX_PARTIAL_CHARS ? text.slice(-MAX_PARTIAL_CHARS) : text;
}

function readUsage(usage: Record<string, unknown>): Usage {
  return {
    inputTokens: asNumber(usage.input_tokens) ?? 0,
    outputTokens: asNumber(usage.output_tokens) ?? 0,
    cacheReadTokens: asNumber(usage.cache_read_input_tokens) ?? 0,
    cacheCreationTokens: asNumber(usage.cache_creation_input_tokens) ?? 0,
  };
}

function readResult(line: StreamLine, into: AgentProgress): void {
  into.sawResult = true;
  const sessionId = asString(line.session_id);
  if (sessionId !== undefined) into.sessionId = sessionId;
  const result = asString(line.result);
  if (result !== undefined) into.result = result;
  if (line.structured_output !== undefined) into.structuredOutput = line.structured_output;
  into.isError = line.is_error === true;
  const subtype = asString(line.subtype);
  if (subtype !== undefined) into.subtype = subtype;
  const apiStatus = asNumber(line.api_error_status);
  if (apiStatus !== undefined) into.apiErrorStatus = apiStatus;
  if (apiStatus === 401) into.authFailed = true;
  if (Array.isArray(line.errors)) into.errors = line.errors.map((error) => (typeof error === 'string' ? error : JSON.stringify(error))).slice(0, 10);
  const cost = asNumber(line.total_cost_usd);
  if (cost !== undefined) into.costUsd = cost;
  if (line.usage) into.usage = readUsage(line.usage);
  const numTurns = asNumber(line.num_turns);
  if (numTurns !== undefined) into.numTurns = numTurns;
  const durationApiMs = asNumber(line.duration_api_ms);
  if (durationApiMs !== undefined) into.durationApiMs = durationApiMs;
}

/** Success only when a result line said `is_error: false`; otherwise say what went wrong. */
export function judgeClaude(progress: AgentProgress, exit: ProcessExit): AgentOutcome {
  const killed = judgeProcessFailure(exit);
  if (killed) return killed;
  if (progress.sawResult && !progress.isError) return { status: 'succeeded' };
  if (progress.sawResult) return { status: 'failed', error: describeErrorResult(progress) };
  if (exit.exitCode === 0) {
    const garbage = progress.garbageLines > 0 ? ` (${progress.garbageLines} unparseable line${progress.garbageLines === 1 ? '' : 's'})` : '';
    return { status: 'failed', error: { reason: 'protocol', message: `claude exited 0 without a result line${garbage}` } };
  }
  return { status: 'failed', error: { reason: 'exit', message: describeExit(exit, 'claude') } };
}

function describeErrorResult(progress: AgentProgress): { reason: 'api' | 'rate-limit' | 'auth' | 'exit'; message: string; apiStatus?: number } {
  const detail = progress.errors?.join('; ') || progress.result || '';
  const status = progress.apiErrorStatus;
  if (progress.authFailed) {
    const what = status === undefined ? 'claude is not logged in' : `API error ${status}, the key was refused`;
    const message = `${what}${detail ? `: ${firstLine(detail)}` : ''}`;
    return { reason: 'auth', message, ...(status === undefined ? {} : { apiStatus: status }) };
  }
  if (status !== undefined) {
    const reason = status === 429 || status === 529 ? 'rate-limit' : 'api';
    return { reason, apiStatus: status, message: `API error ${status}${detail ? `: ${firstLine(detail)}` : ''}` };
  }
  // An error result keeps subtype "success" unless a limit ended it: "reported success: ..." would mislead.
  const what = progress.subtype === undefined || progress.subtype === 'success' ? 'an error' : progress.subtype;
  return { reason: 'exit', message: `claude reported ${what}${detail ? `: ${firstLine(detail)}` : ''}` };
}

const firstLine = (text: string) => text.trim().split('\n')[0]!.slice(0, 300);

export function createClaudeAdapter(bin: string): AgentAdapter {
  return {
    name: 'claude',
    command(task: AgentTask, turn: TurnOptions): CommandSpec {
      const spec: CommandSpec = { file: bin, args: buildClaudeArgs(task, turn), env: { ...task.env } };
      if (promptGoesOnStdin(task.prompt)) spec.input = encodeRawBytes(task.prompt);
      return spec;
    },
    parseLine: parseClaudeLine,
    judge: judgeClaude,
    warm: {
      command: (task: AgentTask, turn: TurnOptions): CommandSpec => ({ file: bin, args: buildWarmClaudeArgs(task, turn), env: { ...task.env } }),
      encodeTurn: encodeClaudeUserMessage,
      isTurnOver: (progress: AgentProgress) => progress.sawResult,
      toTurnShare: claudeTurnShare,
    },
  };
}
