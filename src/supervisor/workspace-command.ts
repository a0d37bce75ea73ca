// The check and setup commands (`--check "npm test"`, `--setup "npm ci"`): run in an agent's
// workspace like an agent is (its own process group, a timeout, everything it started killed
// at the end), without a shell, and recorded as passed or failed with exit, time and the tail
// of what it printed (secrets redacted).

import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import type { Redactor } from '../secrets/redact.js';
import { SHELL_OPERATORS, splitCommandLine } from '../text/command-line.js';
import type { CommandCheck } from '../types.js';

export const DEFAULT_CHECK_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_SETUP_TIMEOUT_MS = 10 * 60_000;
/** Bytes of output kept: enough for a failing test's message, small enough for run.json. */
const OUTPUT_TAIL_BYTES = 4 * 1024;
const STDOUT_TAIL_LINES = 60;

/** A task's check or setup as argv; bad ones are UsageErrors naming the agent and field. */
export function commandWords(agentId: string, field: 'check' | 'setup', value: string | string[]): string[] {
  const where = `agent "${agentId}": ${field}`;
  if (Array.isArray(value)) {
    if (value.length === 0 || value.some((word) => typeof word !== 'string') || value[0] === '')
      throw new UsageError(`${where}: expected a command line or a non-empty list of words`);
    return value;
  }
  const words = splitCommandLine(value);
  if ('error' in words) throw new UsageError(`${where}: ${words.error}`);
  const operator = words.find((word) => SHELL_OPERATORS.has(word));
  if (operator !== undefined)
    throw new UsageError(`${where}: "${operator}" needs a shell, and herd runs commands without one; write it as sh -c '${value.replace(/'/g, "'\\''")}'`);
  return words;
}

export interface WorkspaceCommandOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  tag: string;
  timeoutMs: number;
  killGraceMs?: number;
  signal?: AbortSignal;
  redact: Redactor;
}

export async function runWorkspaceCommand(options: WorkspaceCommandOptions): Promise<CommandCheck> {
  const lines: string[] = [];
  const run = await runProcess({
    file: options.command[0]!,
    args: options.command.slice(1),
    cwd: options.cwd,
    env: options.env,
    tag: options.tag,
    timeoutMs: options.timeoutMs,
    ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    stderrTailBytes: OUTPUT_TAIL_BYTES,
    onLine: (line) => {
      lines.push(line);
      if (lines.length > STDOUT_TAIL_LINES) lines.shift();
    },
  });
  const check: CommandCheck = {
    command: options.command,
    status: run.exitCode === 0 && run.killedBecause === undefined && run.spawnError === undefined ? 'passed' : 'failed',
    durationMs: Math.round(run.durationMs),
    outputTail: options.redact(tail([lines.join('\n'), run.stderrTail.trimEnd()].filter((part) => part !== '').join('\n'))),
  };
  if (run.exitCode !== undefined) check.exitCode = run.exitCode;
  if (run.signal !== undefined) check.signal = run.signal;
  if (run.killedBecause === 'timeout' || run.killedBecause === 'idle') check.timedOut = true;
  if (run.spawnError !== undefined) check.spawnError = options.redact(run.spawnError);
  return check;
}

/** A tag for the command's processes, so the ones that leave its group are found and ended too. */
export function commandTag(runId: string, agentId: string, field: 'check' | 'setup'): string {
  return `${runId}/${agentId}/${field}-${randomBytes(4).toString('hex')}`;
}

function tail(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= OUTPUT_TAIL_BYTES) return text;
  // Cut at a line start where possible, and never inside a character.
  const cut = bytes
    .subarray(bytes.length - OUTPUT_TAIL_BYTES)
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
  const newline = cut.indexOf('\n');
  return `...${newline >= 0 && newline < 200 ? cut.slice(newline) : `\n${cut}`}`;
}
