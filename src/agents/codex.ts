// The Codex CLI adapter: builds `codex exec --json` (or `codex exec resume --json <thread>`),
// reads its JSONL events (thread.started, item.*, turn.completed / turn.failed, error) and
// judges the turn. Codex reports tokens but no cost, and its usage is a running sum over the
// thread: each turn's share is what it added to the total the thread had before it.
// Everything Codex-specific lives here and in codex-home.ts (its private config home).

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ProcessExit } from '../process/exit.js';
import type { AgentTask, PermissionMode, Usage } from '../types.js';
import type { AgentAdapter, AgentOutcome, AgentProgress, CommandSpec, ParsedSignal, TurnOptions } from './adapter.js';
import { codexHomeOf, prepareCodexHome, readCodexConfigModel, readCodexThreadUsage } from './codex-home.js';
import { parseJsonObjectLine } from './json-line.js';
import { describeExit, judgeProcessFailure } from './process-outcome.js';
import { promptGoesOnStdin } from './prompt-delivery.js';
import { encodeRawBytes } from '../text/raw-bytes.js';

/**
 * argv for one turn. `exec resume` takes fewer flags than `exec` (no -s, no --add-dir), so the
 * sandbox and extra directories go through `-c` on both; codex does not remember the sandbox of
 * a thread (measured), so every turn states it again. The prompt goes last after `--`, or `-`
 * (read from stdin) when no argument can carry it.
 */
export function buildCodexArgs(task: AgentTask, turn: TurnOptions, schemaFile?: string): string[] {
  const args = ['exec'];
  if (turn.resumeSessionId !== undefined) args.push('resume');
  args.push('--json', '--skip-git-repo-check', ...sandboxFlags(task.permissionMode));
  if (task.model !== undefined) args.push('-m', task.model);
  const instructions = [task.systemPrompt, task.appendSystemPrompt].filter((text) => text !== undefined && text !== '').join('\n\n');
  // A JSON string is also a valid TOML basic string (same escapes), which is how -c values are read.
  if (instructions) args.push('-c', `developer_instructions=${JSON.stringify(instructions)}`);
  if (task.addDirs?.length) args.push('-c', `sandbox_workspace_write.writable_roots=${JSON.stringify(task.addDirs)}`);
  if (schemaFile !== undefined) args.push('--output-schema', schemaFile);
  // Without this a refused connection is retried for minutes ("waiting for network"); with it,
  // codex gives up after ~25 s and herd's own retry policy decides (measured with 0.171.0).
  args.push('--disable', 'unbounded_connection_retries');
  if (turn.resumeSessionId !== undefined) args.push(turn.resumeSessionId);
  args.push('--', promptGoesOnStdin(task.prompt) ? '-' : task.prompt);
  return args;
}

/**
 * Claude's permission modes mapped onto codex's sandbox (`codex exec` never asks, so it is only
 * about what commands may touch): edits allowed = the workspace is writable; bypass = no sandbox.
 */
function sandboxFlags(mode: PermissionMode | undefined): string[] {
  switch (mode) {
    case 'acceptEdits':
      return ['-c', 'sandbox_mode="workspace-write"'];
    case 'bypassPermissions':
      return ['--dangerously-bypass-approvals-and-sandbox'];
    default:
      return ['-c', 'sandbox_mode="read-only"'];
  }
}

interface CodexEvent {
  type?: unknown;
  thread_id?: unknown;
  message?: unknown;
  item?: Record<string, unknown>;
  usage?: Record<string, unknown>;
  error?: { message?: unknown };
}

const asNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const asString = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const EXCERPT_CHARS = 80;

/** Parse one JSONL event into `into`. Never throws: stray lines are counted. */
export function parseCodexLine(line: string, into: AgentProgress, version?: string): ParsedSignal[] {
  if (line.length === 0) return [];
  const event = parseJsonObjectLine<CodexEvent>(line);
  if (event === undefined) {
    into.garbageLines += 1;
    return [];
  }
  const type = asString(event.type) ?? 'unknown';
  const itemType = asString(event.item?.type);
  const output: ParsedSignal = { kind: 'output', type: itemType ? `${type}/${itemType}` : type };
  const signals: ParsedSignal[] = [output];
  switch (type) {
    case 'thread.started': {
      const sessionId = asString(event.thread_id);
      if (sessionId !== undefined) {
        into.sessionId = sessionId;
        if (version !== undefined) into.agentVersion = version;
        signals.push(version === undefined ? { kind: 'session', sessionId } : { kind: 'session', sessionId, agentVersion: version });
      }
      break;
    }
    case 'item.started':
      if (event.item) signals.push(...readToolStart(event.item));
      break;
    case 'item.completed':
      if (event.item) readItem(event.item, into, output);
      break;
    case 'turn.completed':
      into.sawResult = true;
      into.numTurns = 1;
      if (event.usage) into.usage = turnShare(readUsage(event.usage), into.usageBaseline);
      if (into.structuredOutputWanted) readStructuredOutput(into);
      break;
    case 'turn.failed':
      into.sawResult = true;
      into.isError = true;
      into.errors = [asString(event.error?.message) ?? 'turn failed'];
      break;
    case 'error':
      signals.push(...readError(asString(event.message) ?? '', into));
      break;
    default:
      break;
  }
  return signals;
}

/** A tool starts: commands, file changes, MCP calls and web searches are items of their own. */
function readToolStart(item: Record<string, unknown>): ParsedSignal[] {
  const type = asString(item.type);
  if (type === 'command_execution') return [{ kind: 'tool', tool: 'shell' }];
  if (type === 'file_change') return [{ kind: 'tool', tool: 'apply_patch' }];
  if (type === 'mcp_tool_call') return [{ kind: 'tool', tool: `mcp:${asString(item.server) ?? '?'}/${asString(item.tool) ?? '?'}` }];
  if (type === 'web_search') return [{ kind: 'tool', tool: 'web_search' }];
  return [];
}

function readItem(item: Record<string, unknown>, into: AgentProgress, output: Extract<ParsedSignal, { kind: 'output' }>): void {
  const type = asString(item.type);
  const text = asString(item.text);
  if (type === 'agent_message' && text !== undefined) {
    // The last message of the turn is its answer (earlier ones are commentary between tools).
    into.result = text;
    const excerpt = text.replace(/\s+/g, ' ').trim();
    if (excerpt) output.excerpt = excerpt.slice(-EXCERPT_CHARS);
  } else if (type === 'error' && text !== undefined) {
    // Not fatal (e.g. "Model metadata ... not found"); kept for the failure message if one comes.
    into.errors = [...(into.errors ?? []), text].slice(-10);
  }
}

/** `Reconnecting... 2/5 (unexpected status 429 ...)` is one of codex's own retries. */
const RECONNECTING = /^Reconnecting\.\.\.\s*(?:(\d+)\/\d+)?/;

function readError(message: string, into: AgentProgress): ParsedSignal[] {
  const reconnecting = RECONNECTING.exec(message);
  if (!reconnecting) {
    into.errors = [...(into.errors ?? []), message].slice(-10);
    return [];
  }
  into.apiRetries += 1;
  const signal: ParsedSignal = { kind: 'retry', attempt: reconnecting[1] === undefined ? into.apiRetries : Number(reconnecting[1]) };
  const status = statusIn(message);
  if (status !== undefined) signal.status = status;
  return [signal];
}

/**
 * Codex's counts: input includes the cached part, output includes reasoning. herd's Usage (as
 * claude reports it) keeps uncached input and cache reads apart.
 */
function readUsage(usage: Record<string, unknown>): Usage {
  const input = asNumber(usage.input_tokens) ?? 0;
  const cached = asNumber(usage.cached_input_tokens) ?? 0;
  return {
    inputTokens: Math.max(0, input - cached),
    outputTokens: asNumber(usage.output_tokens) ?? 0,
    cacheReadTokens: cached,
    cacheCreationTokens: asNumber(usage.cache_write_input_tokens) ?? 0,
  };
}

/** This turn's share of the thread's running total. */
function turnShare(total: Usage, before: Usage | undefined): Usage {
  if (!before) return total;
  const share = { ...total };
  for (const key of Object.keys(share) as Array<keyof Usage>) share[key] = Math.max(0, total[key] - before[key]);
  return share;
}

/** The HTTP status codex names in an error message, if any. */
function statusIn(message: string): number | undefined {
  const match = /(?:last status:|unexpected status)\s*(\d{3})/.exec(message) ?? /"(?:code|status)"\s*:\s*(\d{3})\b/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** Success when the turn completed; a failed turn is classified from its message (codex gives no status field). */
export function judgeCodex(progress: AgentProgress, exit: ProcessExit): AgentOutcome {
  const killed = judgeProcessFailure(exit);
  if (killed) return killed;
  if (progress.sawResult && !progress.isError && exit.exitCode === 0) return { status: 'succeeded' };
  const message = progress.isError ? (progress.errors?.at(-1) ?? 'turn failed') : progress.errors?.at(-1);
  if (message !== undefined) return { status: 'failed', error: classifyCodexError(message) };
  if (exit.exitCode === 0) {
    const garbage = progress.garbageLines > 0 ? ` (${progress.garbageLines} unparseable line${progress.garbageLines === 1 ? '' : 's'})` : '';
    return { status: 'failed', error: { reason: 'protocol', message: `codex exited 0 without turn.completed${garbage}` } };
  }
  return { status: 'failed', error: { reason: 'exit', message: describeExit(exit, 'codex') } };
}

type CodexError = NonNullable<AgentOutcome['error']>;

/**
 * Codex's final messages, measured against injected faults (test/fixtures/transcripts/codex/):
 * 429 → "exceeded retry limit, last status: 429 Too Many Requests"; 5xx → "unexpected status
 * 503 ..." or, for a plain 500, "We're currently experiencing high demand ..."; 400 → the raw
 * JSON error body; 401/403 → "unexpected status 401 Unauthorized ..."; a cut stream →
 * "stream disconnected before completion"; no server → "Connection failed"/"error sending request".
 */
export function classifyCodexError(message: string): CodexError {
  const line = firstLine(message);
  if (/insufficient_quota|quota exceeded/i.test(message)) return { reason: 'exit', message: `codex: quota exceeded: ${line}` };
  const status = statusIn(message) ?? (/high demand/i.test(message) ? 500 : undefined) ?? (/invalid_request_error/.test(message) ? 400 : undefined);
  if (status === 429) return { reason: 'rate-limit', apiStatus: 429, message: `API error 429: ${line}` };
  if (status !== undefined) return { reason: 'api', apiStatus: status, message: `API error ${status}: ${line}` };
  if (/stream disconnected|error sending request|connection (failed|refused|reset)|timed out|waiting for network/i.test(message))
    return { reason: 'api', message: `connection error: ${line}` };
  return { reason: 'exit', message: `codex reported an error: ${line}` };
}

const firstLine = (text: string) => text.trim().split('\n')[0]!.slice(0, 300);

/** Structured output: the turn's last message is the JSON codex was told to follow (--output-schema). */
function readStructuredOutput(progress: AgentProgress): void {
  if (progress.result === undefined) return;
  try {
    progress.structuredOutput = JSON.parse(progress.result) as unknown;
  } catch {
    // Not JSON: the answer stays text, and a task that asked for a schema fails for it.
  }
}

export function createCodexAdapter(bin: string, version?: string): AgentAdapter {
  return {
    name: 'codex',
    ...(version === undefined ? {} : { version }),
    command(task: AgentTask, turn: TurnOptions): CommandSpec {
      let schemaFile: string | undefined;
      if (task.jsonSchema !== undefined) {
        if (turn.privateDir === undefined) throw new Error(`task "${task.id}": codex needs a private directory for its output schema`);
        schemaFile = path.join(turn.privateDir, 'output-schema.json');
        writeFileSync(schemaFile, JSON.stringify(task.jsonSchema), { mode: 0o600 });
      }
      const spec: CommandSpec = { file: bin, args: buildCodexArgs(task, turn, schemaFile), env: { ...task.env } };
      if (promptGoesOnStdin(task.prompt)) spec.input = encodeRawBytes(task.prompt);
      const start: Partial<AgentProgress> = {};
      if (schemaFile !== undefined) start.structuredOutputWanted = true;
      const home = turn.env === undefined ? undefined : codexHomeOf(turn.env);
      const model = task.model ?? (home === undefined ? undefined : readCodexConfigModel(home));
      if (model !== undefined) start.model = model;
      if (turn.resumeSessionId !== undefined && home !== undefined) {
        const before = readCodexThreadUsage(home, turn.resumeSessionId);
        if (before) start.usageBaseline = readUsage(before);
      }
      if (Object.keys(start).length > 0) spec.progress = start;
      return spec;
    },
    parseLine: (line, into) => parseCodexLine(line, into, version),
    judge: judgeCodex,
    prepare: prepareCodexHome,
  };
}
