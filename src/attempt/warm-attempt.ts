// One agent turn on a warm process: the agent's live process answers it when it still holds
// the same session in the same workspace with the same command; otherwise a process is
// started (resuming the session, which costs one cold start) and kept for the next turn.
// A kept process found dead before it answered is replaced the same way, transparently.

import { createProgress, type AgentProgress, type CommandSpec, type WarmProtocol } from '../agents/adapter.js';
import { startWarmProcess, type WarmProcess, type WarmTurnRun } from '../process/warm-process.js';
import { failedBeforeStart, mergeEnv, prefixedCommand, refuseNulByte, toAgentResult, type AgentTurnContext } from './cold-attempt.js';
import type { AgentResult, AgentTask } from '../types.js';
import type { WarmPool } from './warm-pool.js';

export interface WarmTurnContext extends AgentTurnContext {
  pool: WarmPool;
  /** The agent's key in the pool (run id + agent id). */
  key: string;
  /**
   * Called once per turn with the process that serves it and whether it was kept from an
   * earlier turn (a new one is announced when started, a kept one when it first answers).
   */
  onStart?: (start: { pid?: number; reused: boolean }) => void;
}

export async function executeWarmAgentTurn(task: AgentTask, context: WarmTurnContext): Promise<AgentResult> {
  const startedAt = new Date();
  const warm = context.adapter.warm;
  if (!warm) throw new Error(`adapter "${context.adapter.name}" cannot keep a process warm`);
  let spec: CommandSpec;
  let fingerprint: string;
  try {
    spec = warm.command(task, context.resumeSessionId === undefined ? {} : { resumeSessionId: context.resumeSessionId });
    refuseNulByte(spec, task);
    const fresh = warm.command(task, {});
    fingerprint = JSON.stringify([context.commandPrefix ?? [], fresh.file, fresh.args, fresh.env, context.workspace]);
  } catch (error) {
    context.onStart?.({ reused: false });
    return failedBeforeStart(task, context, startedAt, (error as Error).message);
  }

  const kept = context.pool.take(context.key, { sessionId: context.resumeSessionId, fingerprint });
  if (kept) {
    // Announced once it answers: a kept process may turn out to be gone (killed a moment ago),
    // and then the turn is announced on the process that replaces it.
    const announce = once(() => context.onStart?.({ pid: kept.process.pid, reused: true }));
    const turn = await runTurnOn(kept.process, warm, task, context, announce);
    kept.release(turn.progress.sessionId);
    if (!lostBeforeAnswering(turn.run)) {
      announce();
      return toAgentResult(task, context, turn.progress, turn.run, startedAt);
    }
  }

  const argv = prefixedCommand(spec, context.commandPrefix);
  const started = await startWarmProcess({
    file: argv.file,
    args: argv.args,
    cwd: context.workspace,
    env: mergeEnv(context.env, spec.env),
    tag: context.tag,
    ...(context.killGraceMs === undefined ? {} : { killGraceMs: context.killGraceMs }),
  });
  if ('spawnError' in started) {
    context.onStart?.({ reused: false });
    return toAgentResult(
      task,
      context,
      createProgress(),
      { spawnError: started.spawnError, stderrTail: '', oversizedLines: 0, durationMs: Date.now() - startedAt.getTime() },
      startedAt,
    );
  }
  context.onStart?.({ pid: started.pid, reused: false });
  context.onSpawn?.(started.pid);
  const release = context.pool.adopt(context.key, started, fingerprint);
  const turn = await runTurnOn(started, warm, task, context);
  release(turn.progress.sessionId);
  return toAgentResult(task, context, turn.progress, turn.run, startedAt);
}

/** What each warm process reported for its latest turn, as printed (some counters are sums over its life). */
const lastReported = new WeakMap<WarmProcess, AgentProgress>();

/** Ask one turn of `warmProcess`; the progress handed back is the turn's own share. */
async function runTurnOn(
  warmProcess: WarmProcess,
  warm: WarmProtocol,
  task: AgentTask,
  context: AgentTurnContext,
  onFirstLine?: () => void,
): Promise<{ run: WarmTurnRun; progress: AgentProgress }> {
  const progress = createProgress();
  const run = await warmProcess.runTurn({
    input: warm.encodeTurn(task.prompt),
    ...(task.timeoutMs === undefined ? {} : { timeoutMs: task.timeoutMs }),
    ...(task.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: task.idleTimeoutMs }),
    ...(context.signal === undefined ? {} : { signal: context.signal }),
    onLine: (line) => {
      onFirstLine?.();
      const signals = context.adapter.parseLine?.(line, progress) ?? [];
      if (context.onSignal) for (const signal of signals) context.onSignal(signal);
      return warm.isTurnOver(progress);
    },
  });
  const previous = lastReported.get(warmProcess);
  if (warm.isTurnOver(progress)) lastReported.set(warmProcess, progress);
  return { run, progress: warm.toTurnShare(progress, previous) };
}

/** Died (crashed, killed from outside) before saying anything this turn, and not by herd's hand. */
function lostBeforeAnswering(run: WarmTurnRun): boolean {
  return !run.completed && run.lines === 0 && run.killedBecause === undefined;
}

function once(action: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
