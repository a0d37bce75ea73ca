// Starting one attempt of one agent on a queue worker instead of here (`--queue`): the same
// seam as attempt-launcher.ts, so scheduling, retries and recording stay the turn runner's.
// The job carries the task (with --env) and nothing of this machine's environment; a turn
// that continues an agent goes to the worker holding its workspace and session. What the
// worker streams back becomes the same events and run-record updates as a local attempt.

import { jobKey, type AgentJob } from '../queue/protocol.js';
import type { RunFollower } from '../queue/client.js';
import { createResult } from '../results.js';
import type { AgentResult, RunSummary } from '../types.js';
import type { AgentSignals } from './agent-signals.js';
import type { AttemptRequest } from './attempt-launcher.js';
import type { Emit } from './emitter.js';
import { markRunning } from './turn-record.js';

export interface QueuedAttemptLauncherOptions {
  summary: RunSummary;
  follower: RunFollower;
  /** Added to every task's env (--env); the workers' own environment does the rest. */
  env: Record<string, string>;
  killGraceMs: number | undefined;
  signal: AbortSignal | undefined;
  signals: AgentSignals;
  emit: Emit;
}

export function createQueuedAttemptLauncher(options: QueuedAttemptLauncherOptions): (request: AttemptRequest) => Promise<AgentResult> {
  const { summary } = options;
  return async function launchQueuedAttempt({ entry, turnNumber, attempt, priorAttempts }: AttemptRequest): Promise<AgentResult> {
    const { task } = entry;
    const known = summary.agents.find((agent) => agent.id === task.id);
    // Numbered across resumes, so every launch has its own job key and a resumed one finds its job.
    const number = (priorAttempts ?? 0) + attempt;
    const continuing = turnNumber > 1 || entry.resumeSessionId !== undefined;
    const worker = continuing ? known?.worker : undefined;
    if (continuing && worker === undefined) {
      return createResult({
        id: task.id,
        workspace: entry.workspace,
        status: 'failed',
        error: {
          reason: 'worker-gone',
          message: 'no queue worker holds this agent: its earlier turn did not run through a queue (continue it without --queue)',
        },
      });
    }
    const env = { ...options.env, ...task.env };
    const job: AgentJob = {
      version: 1,
      key: jobKey(summary.runId, task.id, turnNumber, number),
      runId: summary.runId,
      agentId: task.id,
      turn: turnNumber,
      attempt: number,
      task: Object.keys(env).length > 0 ? { ...task, env } : task,
      simulated: summary.simulated,
      ...(entry.resumeSessionId === undefined ? {} : { resumeSessionId: entry.resumeSessionId }),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    };
    return options.follower.run(
      { job, workspace: entry.workspace, ...(worker === undefined ? {} : { worker }) },
      {
        onStart: ({ worker: runningOn, workspace }) => {
          markRunning(summary, task.id);
          // Recorded with the next write (the session id's, at the latest): a continuation or a resume finds its worker.
          if (known) known.worker = runningOn;
          options.emit({ type: 'agent.start', agentId: task.id, turn: turnNumber, attempt, workspace, worker: runningOn });
        },
        onSignal: (signal) => options.signals.handle(task.id, signal),
      },
      options.signal,
    );
  };
}
