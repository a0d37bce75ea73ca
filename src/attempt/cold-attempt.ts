// Running ONE agent turn here, start to end: adapter builds the command, the process
// module runs it, the adapter parses and judges, and the outcome becomes an AgentResult
// (the same shape whether it worked or not). Knows nothing about batches or scheduling,
// so a queue worker could call it just as the local pool does.

import type { ProcessExit } from '../process/exit.js';
import type { AgentAdapter, AgentProgress, CommandSpec, ParsedSignal, TurnOptions } from '../agents/adapter.js';
import { createProgress } from '../agents/adapter.js';
import { estimateCostUsd, type PriceTable } from '../agents/prices.js';
import { describeNulByte } from '../agents/prompt-delivery.js';
import { runProcess, type RunProcessOptions } from '../process/run-process.js';
import { redactJson, redactTail, type Redactor } from '../secrets/redact.js';
import { createResult, emptyUsage } from '../results.js';
import type { AgentResult, AgentTask } from '../types.js';

export interface AgentTurnContext {
  adapter: AgentAdapter;
  workspace: string;
  /** Complete environment for the process, including the tag. */
  env: Record<string, string>;
  tag: string;
  resumeSessionId?: string;
  attempt?: number;
  signal?: AbortSignal;
  killGraceMs?: number;
  redact?: Redactor;
  onSignal?: (signal: ParsedSignal) => void;
  onSpawn?: (pid: number) => void;
  /** Run the command behind this one (e.g. the sandbox's `bwrap ... --`): its argv goes first. */
  commandPrefix?: readonly string[];
  /** The agent's private directory in its run (vendor CLIs keep their config and files there). */
  privateDir?: string;
  /** Prices for CLIs that report tokens but no cost (default: the built-in table). */
  prices?: PriceTable;
}

/** What the adapter is told about this turn: the session to resume, the environment, the private directory. */
export function turnOptionsOf(context: AgentTurnContext): TurnOptions {
  const turn: TurnOptions = { env: context.env };
  if (context.resumeSessionId !== undefined) turn.resumeSessionId = context.resumeSessionId;
  if (context.privateDir !== undefined) turn.privateDir = context.privateDir;
  return turn;
}

export async function executeAgentTurn(task: AgentTask, context: AgentTurnContext): Promise<AgentResult> {
  const startedAt = new Date();
  const progress = createProgress();
  let spec;
  try {
    spec = context.adapter.command(task, turnOptionsOf(context));
    refuseNulByte(spec, task);
  } catch (error) {
    return failedBeforeStart(task, context, startedAt, (error as Error).message);
  }
  if (spec.progress) Object.assign(progress, spec.progress);
  const argv = prefixedCommand(spec, context.commandPrefix);
  const run = await runProcess({
    file: argv.file,
    args: argv.args,
    cwd: context.workspace,
    env: mergeEnv(context.env, spec.env),
    tag: context.tag,
    ...(spec.input === undefined ? {} : { input: spec.input }),
    ...(task.timeoutMs === undefined ? {} : { timeoutMs: task.timeoutMs }),
    ...(task.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: task.idleTimeoutMs }),
    ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    ...(context.onSpawn === undefined ? {} : { onSpawn: context.onSpawn }),
    ...linesAndTail(context, progress),
  });
  if (run.stdoutTail !== undefined) progress.stdoutTail = run.stdoutTail;
  // The ring kept the end of a longer output: its first bytes may be the end of a secret.
  if (run.stdoutTailCut) progress.stdoutTailCut = true;
  return toAgentResult(task, context, progress, run, startedAt);
}

/** What the adapter reads of stdout: its lines (only if it parses them) and/or its last bytes. */
function linesAndTail(context: AgentTurnContext, progress: AgentProgress): Pick<RunProcessOptions, 'onLine' | 'stdoutTailBytes'> {
  const { adapter, onSignal } = context;
  const parseLine = adapter.parseLine?.bind(adapter);
  return {
    ...(adapter.stdoutTailBytes === undefined ? {} : { stdoutTailBytes: adapter.stdoutTailBytes }),
    ...(parseLine === undefined
      ? {}
      : {
          onLine: (line: string) => {
            const signals = parseLine(line, progress);
            if (onSignal) for (const signal of signals) onSignal(signal);
          },
        }),
  };
}

/** Judge what one turn printed and how its process ended, and say it as an AgentResult (cold or warm turn alike). */
export function toAgentResult(
  task: AgentTask,
  context: AgentTurnContext,
  progress: AgentProgress,
  run: ProcessExit & { durationMs: number },
  startedAt: Date,
): AgentResult {
  const redact = context.redact ?? ((text: string) => text);
  // A tail cut from a longer stream is cleaned first: error messages quote its last line.
  const exit = run.stderrTailCut ? { ...run, stderrTail: redactTail(redact, run.stderrTail) } : run;
  const outcome = context.adapter.judge(progress, exit);
  const usage = progress.usage ?? emptyUsage();
  // A CLI that reports tokens but no cost: herd prices the tokens and says it did.
  const estimate = progress.costUsd === undefined && progress.usage ? estimateCostUsd(progress.model ?? task.model, usage, context.prices) : undefined;
  const result: AgentResult = {
    id: task.id,
    status: outcome.status,
    workspace: context.workspace,
    costUsd: progress.costUsd ?? estimate ?? 0,
    usage,
    durationMs: Math.round(run.durationMs),
    attempts: context.attempt ?? 1,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
  };
  if (estimate !== undefined) result.costEstimated = true;
  if (progress.result !== undefined) result.result = redact(progress.result);
  else if (progress.stdoutTail !== undefined) result.result = progress.stdoutTailCut ? redactTail(redact, progress.stdoutTail) : redact(progress.stdoutTail);
  // No answer (stopped, killed): the agent's latest text is what it had got to.
  else if (progress.partialText !== undefined) result.result = redact(progress.partialText);
  if (progress.structuredOutput !== undefined) result.structuredOutput = redactJson(progress.structuredOutput, redact);
  if (progress.sessionId !== undefined) result.sessionId = progress.sessionId;
  if (progress.numTurns !== undefined) result.numTurns = progress.numTurns;
  if (progress.durationApiMs !== undefined) result.durationApiMs = progress.durationApiMs;
  if (progress.apiRetries > 0) result.apiRetries = progress.apiRetries;
  if (run.exitCode !== undefined) result.exitCode = run.exitCode;
  if (run.signal !== undefined) result.signal = run.signal;
  if (outcome.error) result.error = { ...outcome.error, message: redact(outcome.error.message) };
  if (outcome.status !== 'succeeded' && exit.stderrTail) result.stderrTail = redact(exit.stderrTail);
  return result;
}

/** Agent types that can be held to a JSON Schema (claude --json-schema, codex --output-schema). */
const STRUCTURED_OUTPUT_AGENTS = new Set(['claude', 'codex']);

/**
 * A task that asked for structured output (jsonSchema) and got none did not do what was asked,
 * even when the CLI says "success": claude ends that way when the model's output never matched
 * the schema. (A workflow judge checks its own answer instead, with a text fallback.)
 */
export function requireStructuredOutput(task: AgentTask, result: AgentResult): AgentResult {
  if (
    task.jsonSchema === undefined ||
    !STRUCTURED_OUTPUT_AGENTS.has(task.agent ?? 'claude') ||
    result.status !== 'succeeded' ||
    result.structuredOutput !== undefined
  )
    return result;
  const said = result.result?.trim().split('\n')[0]?.slice(0, 200);
  return {
    ...result,
    status: 'failed',
    error: { reason: 'protocol', message: `asked for structured output (jsonSchema) but the answer had none${said ? `: ${said}` : ''}` },
  };
}

/** A NUL byte in an argument or variable: the agent fails with the reason rather than the spawn with a stack (see prompt-delivery.ts). */
export function refuseNulByte(spec: CommandSpec, task: AgentTask): void {
  const nul = describeNulByte(spec, task.prompt);
  if (nul) throw new Error(nul);
}

/** The command with `prefix` in front of it (nothing changes without one). */
export function prefixedCommand(spec: { file: string; args: string[] }, prefix: readonly string[] | undefined): { file: string; args: string[] } {
  const [file, ...args] = prefix ?? [];
  return file === undefined ? { file: spec.file, args: spec.args } : { file, args: [...args, spec.file, ...spec.args] };
}

export function mergeEnv(base: Record<string, string>, overrides: Record<string, string | undefined>): Record<string, string> {
  const env = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function failedBeforeStart(task: AgentTask, context: AgentTurnContext, startedAt: Date, message: string): AgentResult {
  return createResult({
    id: task.id,
    workspace: context.workspace,
    status: 'failed',
    attempts: context.attempt ?? 1,
    startedAt,
    error: { reason: 'spawn', message },
  });
}
