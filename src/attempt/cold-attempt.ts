// Running ONE agent turn here, start to end: adapter builds the command, the process
// module runs it, the adapter parses and judges, and the outcome becomes an AgentResult
// (the same shape whether it worked or not). Knows nothing about batches or scheduling,
// so a queue worker could call it just as the local pool does.

import type { ProcessExit } from '../process/exit.js';
import type { AgentAdapter, AgentProgress, ParsedSignal } from '../agents/adapter.js';
import { createProgress } from '../agents/adapter.js';
import { runProcess, type RunProcessOptions } from '../process/run-process.js';
import { redactJson, type Redactor } from '../secrets/redact.js';
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
}

export async function executeAgentTurn(task: AgentTask, context: AgentTurnContext): Promise<AgentResult> {
  const startedAt = new Date();
  const progress = createProgress();
  let spec;
  try {
    spec = context.adapter.command(task, context.resumeSessionId === undefined ? {} : { resumeSessionId: context.resumeSessionId });
  } catch (error) {
    return failedBeforeStart(task, context, startedAt, (error as Error).message);
  }
  const run = await runProcess({
    file: spec.file,
    args: spec.args,
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
  const outcome = context.adapter.judge(progress, run);
  const result: AgentResult = {
    id: task.id,
    status: outcome.status,
    workspace: context.workspace,
    costUsd: progress.costUsd ?? 0,
    usage: progress.usage ?? emptyUsage(),
    durationMs: Math.round(run.durationMs),
    attempts: context.attempt ?? 1,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
  };
  const text = progress.result ?? progress.stdoutTail;
  if (text !== undefined) result.result = redact(text);
  if (progress.structuredOutput !== undefined) result.structuredOutput = redactJson(progress.structuredOutput, redact);
  if (progress.sessionId !== undefined) result.sessionId = progress.sessionId;
  if (progress.numTurns !== undefined) result.numTurns = progress.numTurns;
  if (progress.durationApiMs !== undefined) result.durationApiMs = progress.durationApiMs;
  if (progress.apiRetries > 0) result.apiRetries = progress.apiRetries;
  if (run.exitCode !== undefined) result.exitCode = run.exitCode;
  if (run.signal !== undefined) result.signal = run.signal;
  if (outcome.error) result.error = { ...outcome.error, message: redact(outcome.error.message) };
  if (outcome.status !== 'succeeded' && run.stderrTail) result.stderrTail = redact(run.stderrTail);
  return result;
}

/**
 * A task that asked for structured output (jsonSchema) and got none did not do what was asked,
 * even when the CLI says "success": claude ends that way when the model's output never matched
 * the schema. (A workflow judge checks its own answer instead, with a text fallback.)
 */
export function requireStructuredOutput(task: AgentTask, result: AgentResult): AgentResult {
  if (task.jsonSchema === undefined || (task.agent ?? 'claude') !== 'claude' || result.status !== 'succeeded' || result.structuredOutput !== undefined)
    return result;
  const said = result.result?.trim().split('\n')[0]?.slice(0, 200);
  return {
    ...result,
    status: 'failed',
    error: { reason: 'protocol', message: `asked for structured output (jsonSchema) but the answer had none${said ? `: ${said}` : ''}` },
  };
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
