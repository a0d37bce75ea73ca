// `herd worker`: takes agent jobs from the shared queue (first turns) and from its own queue
// (turns that must run where an agent's workspace is), runs each here (job-runner.ts), and
// streams what happens back to the submitting herd. It announces itself (presence key, renewed
// while it runs) so submitters can tell a continuation that its worker is gone; it watches
// for cancelled jobs; and it stops either by finishing its jobs or by handing them back.
//
// A worker that dies (SIGKILL, a lost machine) is what BullMQ's job locks are for: the lock
// lapses after lockDuration, the stalled check (every stalledInterval) puts the job back, and
// another worker runs it. Its agents die with it (job-runner.ts: setpriv --pdeathsig).

import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Worker, WaitingError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { UsageError } from '../errors.js';
import { StartGate } from '../pool/start-gate.js';
import { createResult } from '../results.js';
import { startSimulateServer, type SimulateOptions } from '../simulate/server.js';
import type { AgentResult } from '../types.js';
import { connectRedis, openRedis } from './connection.js';
import type { QueueUrl } from './queue-url.js';
import { canDieWithWorker, runAgentJob, type JobRunnerOptions } from './job-runner.js';
import {
  cancelKey,
  MESSAGE_FIELD,
  presenceKey,
  QUEUE_PREFIX,
  runStreamKey,
  SHARED_QUEUE,
  workerQueueName,
  type AgentJob,
  type JobReply,
  type WorkerMessage,
  type WorkerPresence,
} from './protocol.js';

/** A job lock is renewed every half of this; a worker silent this long counts as dead. */
export const DEFAULT_LOCK_DURATION_MS = 5_000;
/** How often workers look for jobs whose worker died (with the lock: restart within ~7 s). */
export const DEFAULT_STALLED_INTERVAL_MS = 2_000;
/** A run's message stream is kept this long after its last message (a killed submitter can read it on resume). */
const STREAM_TTL_S = 7 * 24 * 3600;
const STREAM_MAX_LENGTH = 10_000;
const CANCEL_POLL_MS = 500;
/** The longest a Node timer can wait: a slot held by a running agent is never freed by time. */
const MAX_TIMER_MS = 2_147_483_647;

export interface QueueWorkerOptions {
  queue: QueueUrl;
  /** Names the worker's own queue; continuation turns of the agents it ran come back to it. */
  id: string;
  workspaceRoot: string;
  concurrency: number;
  /** Start slots for claude agents (0: no gate). */
  startSlots: number;
  /** Answer claude agents from this worker's own stand-in model API. */
  simulate?: SimulateOptions;
  allowCommand: boolean | string[];
  claudeBin: () => string;
  inheritedEnv: NodeJS.ProcessEnv;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  log: (line: string) => void;
}

export type StopMode = 'finish' | 'hand-back';

export interface QueueWorker {
  readonly id: string;
  /** Jobs running now. */
  readonly running: number;
  /**
   * Stop taking jobs; 'finish' lets the running ones end, 'hand-back' stops their agents and puts
   * the jobs back in the queue for another worker. A 'hand-back' during a 'finish' upgrades it.
   */
  stop(mode: StopMode): Promise<{ finished: number; handedBack: number }>;
}

interface ActiveJob {
  controller: AbortController;
}

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const redis = openRedis(options.queue, { name: `herd-worker:${options.id}` });
  await connectRedis(redis, options.queue);
  const presence: WorkerPresence = {
    id: options.id,
    host: os.hostname(),
    pid: process.pid,
    concurrency: options.concurrency,
    simulate: options.simulate !== undefined,
    allowCommand: options.allowCommand,
  };
  const lockDuration = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
  const presenceTtlMs = Math.max(lockDuration, 3_000);
  try {
    await claimPresence(redis, presence, presenceTtlMs);
    await mkdir(options.workspaceRoot, { recursive: true, mode: 0o700 });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  const server = options.simulate ? await startSimulateServer(options.simulate) : undefined;
  const dieWithWorker = canDieWithWorker();
  if (!dieWithWorker) options.log('setpriv is missing: agents started here will not end by themselves if this worker is killed');

  const runner: JobRunnerOptions = {
    workerId: options.id,
    workspaceRoot: options.workspaceRoot,
    simulateServer: server,
    allowCommand: options.allowCommand,
    claudeBin: options.claudeBin,
    inheritedEnv: options.inheritedEnv,
    startGate: options.startSlots > 0 ? new StartGate(options.startSlots) : undefined,
    dieWithWorker,
  };
  // Both queues feed one budget: the worker never runs more agents than --concurrency.
  const slots = new StartGate(options.concurrency, MAX_TIMER_MS);
  const active = new Map<string, ActiveJob>();
  let handingBack = false;
  let finished = 0;
  let handedBack = 0;

  const report = async (runId: string, message: WorkerMessage): Promise<void> => {
    const key = runStreamKey(runId);
    await redis.multi().xadd(key, 'MAXLEN', '~', STREAM_MAX_LENGTH, '*', MESSAGE_FIELD, JSON.stringify(message)).expire(key, STREAM_TTL_S).exec();
  };

  async function processJob(job: Job<AgentJob, JobReply>, token: string | undefined): Promise<JobReply> {
    const data = job.data;
    const controller = new AbortController();
    active.set(data.key, { controller });
    const release = await slots.acquire(controller.signal);
    try {
      let result: AgentResult;
      if (controller.signal.aborted || (await redis.exists(cancelKey(data.key)))) {
        result = createResult({
          id: data.agentId,
          workspace: path.join(options.workspaceRoot, data.runId, data.agentId),
          status: 'cancelled',
          error: { reason: 'canceled', message: 'not started: the run was cancelled' },
        });
      } else {
        options.log(`${data.key}: started${job.stalledCounter > 0 ? ' again (its worker died)' : ''}`);
        result = await runAgentJob(data, runner, {
          signal: controller.signal,
          rerun: job.stalledCounter > 0 || job.attemptsMade > 0,
          onStart: (workspace) => void report(data.runId, { kind: 'start', key: data.key, worker: options.id, workspace }).catch(() => undefined),
          onSignal: (signal) => void report(data.runId, { kind: 'signal', key: data.key, signal }).catch(() => undefined),
        }).catch((error: unknown) =>
          // A throw inside herd is this agent's failure, reported like any other result.
          createResult({
            id: data.agentId,
            workspace: path.join(options.workspaceRoot, data.runId, data.agentId),
            status: 'failed',
            attempts: data.attempt,
            error: {
              reason: 'internal',
              message: `worker ${options.id} failed while running this agent: ${error instanceof Error ? error.message : String(error)}`,
            },
          }),
        );
      }
      if (handingBack && controller.signal.aborted) {
        // Back in the queue: another worker (or this one, restarted) runs it from the start.
        await job.moveToWait(token);
        handedBack += 1;
        options.log(`${data.key}: handed back to the queue`);
        throw new WaitingError();
      }
      const reply: JobReply = { result: { ...result, worker: options.id }, worker: options.id };
      await report(data.runId, { kind: 'end', key: data.key, reply });
      finished += 1;
      options.log(`${data.key}: ${result.status}${result.error ? ` (${result.error.reason})` : ''} in ${(result.durationMs / 1000).toFixed(1)} s`);
      return reply;
    } finally {
      release();
      active.delete(data.key);
    }
  }

  const workerOptions = {
    prefix: QUEUE_PREFIX,
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    // A job whose workers keep dying is given up after this many restarts (then it fails).
    maxStalledCount: 2,
  };
  const connections: Redis[] = [];
  const workers = [SHARED_QUEUE, workerQueueName(options.id)].map((name) => {
    const connection = openRedis(options.queue, { name: `herd-worker:${options.id}:${name}`, eager: true });
    connections.push(connection);
    return new Worker<AgentJob, JobReply>(name, processJob, { ...workerOptions, connection });
  });
  for (const worker of workers) worker.on('error', () => undefined);

  const heartbeat = setInterval(
    () => void redis.set(presenceKey(options.id), JSON.stringify(presence), 'PX', presenceTtlMs).catch(() => undefined),
    presenceTtlMs / 3,
  );
  const cancelWatch = setInterval(() => void stopCancelled(redis, active).catch(() => undefined), CANCEL_POLL_MS);

  let stopping: Promise<void> | undefined;
  return {
    id: options.id,
    get running() {
      return active.size;
    },
    async stop(mode) {
      if (mode === 'hand-back') {
        handingBack = true;
        for (const job of active.values()) job.controller.abort(new Error('the worker is stopping'));
      }
      stopping ??= (async () => {
        // close() stops taking jobs and waits for the running ones (finished or handed back).
        await Promise.all(workers.map((worker) => worker.close()));
        clearInterval(heartbeat);
        clearInterval(cancelWatch);
        await redis.del(presenceKey(options.id)).catch(() => undefined);
        await server?.close();
        // BullMQ closes only the connections it made itself.
        for (const connection of [redis, ...connections]) connection.disconnect();
      })();
      await stopping;
      return { finished, handedBack };
    },
  };
}

/** One worker per id: a second one would share the first one's queue without its workspaces. */
async function claimPresence(redis: Redis, presence: WorkerPresence, ttlMs: number): Promise<void> {
  const claimed = await redis.set(presenceKey(presence.id), JSON.stringify(presence), 'PX', ttlMs, 'NX');
  if (claimed === 'OK') return;
  const holder = JSON.parse((await redis.get(presenceKey(presence.id))) ?? '{}') as Partial<WorkerPresence>;
  throw new WorkerIdTaken(
    `worker id "${presence.id}" is in use by a running worker (pid ${holder.pid ?? '?'} on ${holder.host ?? '?'}); give this one another --id (a killed worker's claim lapses within ${Math.ceil(ttlMs / 1000)} s)`,
  );
}

/** Another --id is the fix: bad input, nothing started. */
export class WorkerIdTaken extends UsageError {}

/** Submitters cancel by setting a key per job; the agents of those jobs are stopped here. */
async function stopCancelled(redis: Redis, active: ReadonlyMap<string, ActiveJob>): Promise<void> {
  if (active.size === 0) return;
  const keys = [...active.keys()];
  const flags = await redis.mget(keys.map(cancelKey));
  keys.forEach((key, index) => {
    if (flags[index] !== null) active.get(key)?.controller.abort(new Error('cancelled by the submitting herd'));
  });
}
