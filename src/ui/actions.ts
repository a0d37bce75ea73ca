// What the page can do to runs, each through the same library calls the CLI uses: continue
// agents (Supervisor.continue), resume an interrupted run (Supervisor.resume), and cancel a
// running run by signalling the herd that owns it (the same SIGINT as Ctrl-C in its terminal:
// it records `cancelled` and stays resumable), or by aborting it when this server runs it.

import path from 'node:path';
import { UsageError } from '../errors.js';
import type { HerdEvent } from '../events.js';
import { validateId } from '../options.js';
import { lockHolder } from '../store/run-lock.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { RunSummary } from '../types.js';

export interface ActionStarted {
  runId: string;
  action: 'continue' | 'resume';
}

export class UiActions {
  /** Turns this server started and still runs, so a cancel can abort them directly. */
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly root: string) {}

  /** Starts the turn and resolves once it began (its run.start), or rejects with why it could not. */
  continueRun(runId: string, prompt: string, agents: string[] | undefined): Promise<ActionStarted> {
    if (typeof prompt !== 'string' || prompt.trim() === '') return Promise.reject(new UsageError('the follow-up prompt is empty'));
    return this.startInBackground(runId, 'continue', (supervisor, signal) =>
      supervisor.continue(runId, prompt, { signal, ...(agents && agents.length > 0 ? { agents } : {}) }),
    );
  }

  resumeRun(runId: string): Promise<ActionStarted> {
    return this.startInBackground(runId, 'resume', (supervisor, signal) => supervisor.resume(runId, { signal }));
  }

  /** Asks the owner of a running run to cancel it; resolves to who was asked. */
  async cancelRun(runId: string): Promise<{ runId: string; signalled: 'this-server' | number }> {
    validateId('run id', runId);
    const own = this.running.get(runId);
    if (own) {
      own.abort(new Error('cancelled from herd ui'));
      return { runId, signalled: 'this-server' };
    }
    // The lock names its owner by pid and start time, so a reused pid is never signalled.
    const owner = await lockHolder(path.join(this.root, runId));
    if (owner === undefined) throw new UsageError(`run ${runId} is not running (no live herd holds its lock)`);
    process.kill(owner.pid, 'SIGINT');
    return { runId, signalled: owner.pid };
  }

  /** Stops what this server started (server shutdown); their records say cancelled. */
  abortAll(): void {
    for (const controller of this.running.values()) controller.abort(new Error('herd ui stopped'));
  }

  private startInBackground(
    runId: string,
    action: ActionStarted['action'],
    work: (supervisor: Supervisor, signal: AbortSignal) => Promise<RunSummary>,
  ): Promise<ActionStarted> {
    validateId('run id', runId);
    if (this.running.has(runId)) return Promise.reject(new UsageError(`run ${runId} is already running from this page`));
    const controller = new AbortController();
    return new Promise<ActionStarted>((resolve, reject) => {
      let started = false;
      const supervisor = new Supervisor({
        workspaceRoot: this.root,
        onEvent: (event: HerdEvent) => {
          if (event.type === 'run.start' && !started) {
            started = true;
            resolve({ runId, action });
          }
        },
      });
      this.running.set(runId, controller);
      work(supervisor, controller.signal)
        .catch((error: unknown) => {
          // Before the turn began it is the caller's answer; after, it is in the run record.
          if (!started) reject(error instanceof Error ? error : new Error(String(error)));
        })
        .finally(() => {
          this.running.delete(runId);
          void supervisor.close();
          if (!started) reject(new UsageError(`run ${runId}: nothing to ${action}`));
        });
    });
  }
}
