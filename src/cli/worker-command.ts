// `herd worker`: run agent jobs from a Redis queue on this machine until SIGINT/SIGTERM. The
// first signal finishes the running jobs and takes no new ones; a second hands them back to
// the queue (their agents stopped) for another worker; either way it says which, and exits 0.

import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { resolveClaudeBin } from '../agents/claude-bin.js';
import { UsageError } from '../errors.js';
import { defaultConcurrency, defaultStartSlots, parseConcurrency, parseDuration, parsePositiveDuration } from '../options.js';
import { resolveQueueUrl } from '../queue/queue-url.js';
import type { QueueWorker } from '../queue/worker.js';
import { defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import { EXIT_OK } from './exit-codes.js';
import { writeErr } from './output.js';

/** It names a Redis queue and appears in run records: the same characters as run ids. */
const WORKER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface WorkerFlags {
  queue?: string | true;
  id?: string;
  concurrency?: string;
  workspaceRoot?: string;
  claudeBin?: string;
  simulate?: boolean;
  simulateLatency?: string;
  allowCommand?: string[] | true;
  lockDuration?: string;
  stalledInterval?: string;
  quiet?: boolean;
}

export async function workerCommand(flags: WorkerFlags): Promise<number> {
  const queue = resolveQueueUrl(flags.queue ?? true);
  if (!queue) throw new UsageError('--queue: give the Redis URL');
  const workspaceRoot = path.resolve(flags.workspaceRoot ?? defaultWorkspaceRoot());
  const id = flags.id ?? defaultWorkerId(workspaceRoot);
  if (!WORKER_ID.test(id))
    throw new UsageError(`--id: ${JSON.stringify(id)} is not allowed: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  const concurrency = flags.concurrency === undefined ? defaultConcurrency(Number.MAX_SAFE_INTEGER) : parseConcurrency('-c/--concurrency', flags.concurrency);
  const simulate =
    flags.simulate || flags.simulateLatency !== undefined
      ? flags.simulateLatency === undefined
        ? {}
        : { latencyMs: parseDuration('--simulate-latency', flags.simulateLatency) }
      : undefined;
  const lockDurationMs = flags.lockDuration === undefined ? undefined : parsePositiveDuration('--lock-duration', flags.lockDuration);
  const stalledIntervalMs = flags.stalledInterval === undefined ? undefined : parsePositiveDuration('--stalled-interval', flags.stalledInterval);
  // Checked now (a usage error before anything starts) only when given; otherwise on the first claude job.
  if (flags.claudeBin !== undefined) resolveClaudeBin(flags.claudeBin);
  let claudeBin: string | undefined;
  const log = (line: string) => writeErr(`${new Date().toISOString().slice(11, 19)} worker ${id}: ${line}\n`);

  // bullmq and ioredis load only for the commands that use them.
  const { startQueueWorker } = await import('../queue/worker.js');
  const worker = await startQueueWorker({
    queue,
    id,
    workspaceRoot,
    concurrency,
    startSlots: defaultStartSlots(concurrency),
    ...(simulate ? { simulate } : {}),
    allowCommand: flags.allowCommand ?? false,
    claudeBin: () => (claudeBin ??= resolveClaudeBin(flags.claudeBin)),
    inheritedEnv: process.env,
    ...(lockDurationMs === undefined ? {} : { lockDurationMs }),
    ...(stalledIntervalMs === undefined ? {} : { stalledIntervalMs }),
    log: flags.quiet ? () => undefined : log,
  });
  const commands = flags.allowCommand === undefined ? 'refused' : flags.allowCommand === true ? 'any' : flags.allowCommand.join(', ');
  log(
    `ready on ${queue.display}, up to ${concurrency} agents at once, workspaces in ${workspaceRoot}, ${simulate ? 'simulated model API' : 'real model API'}, command agents: ${commands}`,
  );
  return waitForStop(worker, log);
}

/** Stable across restarts of the same worker (same machine, same root), so continuations find it again. */
function defaultWorkerId(workspaceRoot: string): string {
  const host =
    os
      .hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 40) || 'worker';
  return `${host}-${createHash('sha256').update(workspaceRoot).digest('hex').slice(0, 6)}`;
}

function waitForStop(worker: QueueWorker, log: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 2) {
        log(`${signal} a third time: exiting now (agents end with the worker)`);
        process.exit(130);
      }
      const mode = signals === 1 ? 'finish' : 'hand-back';
      log(
        mode === 'finish'
          ? `${signal}: taking no new jobs, finishing the ${worker.running} running (send it again to hand them back to the queue instead)`
          : `${signal} again: stopping the ${worker.running} running agents and handing their jobs back to the queue`,
      );
      void worker.stop(mode).then(({ finished, handedBack }) => {
        if (signals > 1 && mode === 'finish') return;
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        log(`stopped: ${finished} job${finished === 1 ? '' : 's'} finished here, ${handedBack} handed back to the queue`);
        resolve(EXIT_OK);
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
