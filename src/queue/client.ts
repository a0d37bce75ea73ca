// The submitting herd's side of a queue: it enqueues one attempt of one agent as a job (or
// finds the job a killed submitter left, by its key), follows what the workers stream back
// for the run, and hands the result to the turn runner exactly once per job key. It also
// cancels (a waiting job is removed, a running one is stopped on its worker) and notices when
// a job that must run on one worker (a continuation) has no worker left to run it.
//
// Results arrive two ways on purpose: the run's stream (fast) and the job's own state in
// BullMQ, checked every few seconds and after a reconnect (the stream may miss a message when
// Redis restarts or the stream entry was added before the submitter started reading).

import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ParsedSignal } from '../agents/adapter.js';
import { createResult } from '../results.js';
import type { AgentResult } from '../types.js';
import { connectRedis, openRedis } from './connection.js';
import type { QueueUrl } from './queue-url.js';
import {
  bullPriority,
  cancelKey,
  MESSAGE_FIELD,
  parseWorkerMessage,
  presenceKey,
  QUEUE_PREFIX,
  runStreamKey,
  SHARED_QUEUE,
  workerQueueName,
  type AgentJob,
  type JobReply,
  type WorkerMessage,
} from './protocol.js';

/** Finished jobs stay this long: a submitter killed meanwhile collects them on `herd resume`. */
const KEEP_FINISHED_S = 24 * 3600;
/** Jobs are restarted after their worker dies; one whose workers keep dying is given up after this many starts. */
const JOB_ATTEMPTS = 3;

export interface QueueClientOptions {
  /** How often the state of every job still awaited is checked besides the stream (default 2 s). */
  reconcileMs?: number;
  /** After a cancel, how long a running job's worker has to report the stopped agent (default 15 s). */
  cancelWaitMs?: number;
}

export interface AttemptHooks {
  onStart(start: { worker: string; workspace: string }): void;
  onSignal(signal: ParsedSignal): void;
}

export interface QueuedAttempt {
  job: AgentJob;
  /** Run it on this worker's own queue (the one holding the agent's workspace); undefined: any worker. */
  worker?: string;
  /** Where the agent's workspace is recorded (for a result made here). */
  workspace: string;
}

interface Awaited {
  attempt: QueuedAttempt;
  hooks: AttemptHooks;
  queue: Queue;
  resolve: (result: AgentResult) => void;
  cancelling: boolean;
  /** Enqueued (or found): from now on the reconcile rounds look at its job. */
  submitted: boolean;
  readded: boolean;
  /** Reconcile rounds in a row that found its worker (a continuation's) without presence. */
  workerMissing: number;
  timer?: NodeJS.Timeout;
}

export class QueueClient {
  private readonly queues = new Map<string, Queue>();

  private constructor(
    readonly url: QueueUrl,
    private readonly redis: Redis,
    readonly options: Required<QueueClientOptions>,
  ) {}

  /** Connects (failing at once, in one line, when Redis cannot be reached). */
  static async connect(url: QueueUrl, options: QueueClientOptions = {}): Promise<QueueClient> {
    const redis = openRedis(url, { name: 'herd-submit' });
    await connectRedis(redis, url);
    return new QueueClient(url, redis, { reconcileMs: options.reconcileMs ?? 2_000, cancelWaitMs: options.cancelWaitMs ?? 15_000 });
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.redis, prefix: QUEUE_PREFIX });
      queue.on('error', () => undefined);
      this.queues.set(name, queue);
    }
    return queue;
  }

  async workerAlive(workerId: string): Promise<boolean> {
    return (await this.redis.exists(presenceKey(workerId))) === 1;
  }

  /** Follow one run's jobs (one turn at a time); close it when the turn ends. */
  async follow(runId: string): Promise<RunFollower> {
    const follower = new RunFollower(this, this.redis, openRedis(this.url, { name: `herd-submit:${runId}` }), runId);
    await follower.start();
    return follower;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
    this.redis.disconnect();
  }
}

export class RunFollower {
  private readonly awaited = new Map<string, Awaited>();
  private lastId = '0-0';
  private closed = false;
  private reading: Promise<void> | undefined;
  private reconcileTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: QueueClient,
    private readonly redis: Redis,
    private readonly reader: Redis,
    private readonly runId: string,
  ) {}

  async start(): Promise<void> {
    // Messages from before now are the earlier turns' (or a killed submitter's): results still
    // awaited are read from their jobs instead.
    const last = await this.redis.xrevrange(runStreamKey(this.runId), '+', '-', 'COUNT', 1);
    this.lastId = last[0]?.[0] ?? '0-0';
    this.reading = this.readLoop();
    this.reconcileTimer = setInterval(() => void this.reconcile(), this.client.options.reconcileMs);
  }

  /** Runs one attempt through the queue; resolves with its result, never rejects for the agent's failure. */
  async run(attempt: QueuedAttempt, hooks: AttemptHooks, signal: AbortSignal | undefined): Promise<AgentResult> {
    const { job } = attempt;
    const queue = this.client.queue(attempt.worker === undefined ? SHARED_QUEUE : workerQueueName(attempt.worker));
    const settled = new Promise<AgentResult>((resolve) => {
      this.awaited.set(job.key, { attempt, hooks, queue, resolve, cancelling: false, submitted: false, readded: false, workerMissing: 0 });
    });
    const onAbort = () => void this.cancel(job.key);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) onAbort();
      else await this.submit(job.key);
      return await settled;
    } catch (error) {
      this.settle(job.key, this.localResult(attempt, 'failed', 'internal', `herd could not use the queue: ${(error as Error).message}`));
      return await settled;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The job of this key as a killed submitter left it, or a new one. */
  private async submit(key: string): Promise<void> {
    const entry = this.awaited.get(key);
    if (!entry) return;
    const found = await this.findJob(entry);
    if (found) {
      const state = await found.job.getState();
      if (state === 'completed' && !isCancelledReply(found.job.returnvalue)) return this.settle(key, found.job.returnvalue.result);
      if (state !== 'completed' && state !== 'failed') {
        entry.queue = found.queue;
        entry.submitted = true;
        return;
      }
      // Cancelled or given up earlier: this launch runs it afresh.
      await found.job.remove().catch(() => undefined);
    }
    const worker = entry.attempt.worker;
    if (worker !== undefined && !(await this.client.workerAlive(worker))) return this.settle(key, this.workerGone(entry.attempt, worker));
    // An earlier launch of the same key may have been cancelled before its job existed.
    await this.redis.del(cancelKey(key));
    await entry.queue.add('agent', entry.attempt.job, {
      jobId: key,
      attempts: JOB_ATTEMPTS,
      priority: bullPriority(entry.attempt.job.task.priority),
      removeOnComplete: { age: KEEP_FINISHED_S },
      removeOnFail: { age: KEEP_FINISHED_S },
    });
    entry.submitted = true;
  }

  /** A continuation goes to its worker's queue, but the first try of the same key may be in the shared one. */
  private async findJob(entry: Awaited): Promise<{ job: Job<AgentJob, JobReply>; queue: Queue } | undefined> {
    const queues = [entry.queue, ...(entry.queue.name === SHARED_QUEUE ? [] : [this.client.queue(SHARED_QUEUE)])];
    for (const queue of queues) {
      const job = (await queue.getJob(entry.attempt.job.key)) as Job<AgentJob, JobReply> | undefined;
      if (job) return { job, queue };
    }
    return undefined;
  }

  /** A waiting job is removed (it never ran); a running one is stopped by its worker, which reports the result. */
  private async cancel(key: string): Promise<void> {
    const entry = this.awaited.get(key);
    if (!entry || entry.cancelling) return;
    entry.cancelling = true;
    try {
      // Set first: a worker that takes the job between the removal and now sees it before it starts.
      await this.redis.set(cancelKey(key), '1', 'EX', KEEP_FINISHED_S);
      const job = (await entry.queue.getJob(key)) as Job<AgentJob, JobReply> | undefined;
      const state = job ? await job.getState() : 'unknown';
      // It ended before the cancel reached it: that is its result.
      if (job && state === 'completed') return this.settle(key, job.returnvalue.result);
      const removed =
        job === undefined ||
        (state !== 'active' &&
          (await job.remove().then(
            () => true,
            () => false,
          )));
      if (removed) return this.settle(key, notStarted(entry.attempt));
    } catch {
      // Redis is away: the worker's own result (or the bound below) ends it.
    }
    entry.timer = setTimeout(
      () => this.settle(key, this.localResult(entry.attempt, 'cancelled', 'canceled', 'cancelled; its worker did not confirm that the agent stopped')),
      this.client.options.cancelWaitMs,
    );
  }

  private settle(key: string, result: AgentResult): void {
    const entry = this.awaited.get(key);
    if (!entry) return;
    // Exactly once per job key, whichever way the result came (stream, job state, cancel, bound).
    this.awaited.delete(key);
    clearTimeout(entry.timer);
    entry.resolve(result);
  }

  private dispatch(message: WorkerMessage): void {
    const entry = this.awaited.get(message.key);
    if (!entry) return;
    if (message.kind === 'start') entry.hooks.onStart({ worker: message.worker, workspace: message.workspace });
    else if (message.kind === 'signal') entry.hooks.onSignal(message.signal);
    else this.settle(message.key, message.reply.result);
  }

  private async readLoop(): Promise<void> {
    const key = runStreamKey(this.runId);
    while (!this.closed) {
      try {
        const batch = await this.reader.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', key, this.lastId);
        for (const [, entries] of batch ?? []) {
          for (const [id, fields] of entries) {
            this.lastId = id;
            const text = fields[fields.indexOf(MESSAGE_FIELD) + 1];
            const message = text === undefined ? undefined : parseWorkerMessage(text);
            if (message) this.dispatch(message);
          }
        }
      } catch {
        if (this.closed) return;
        // Redis went away: wait for it, then look at every awaited job (messages may be lost).
        await new Promise((resolve) => setTimeout(resolve, 250));
        void this.reconcile();
      }
    }
  }

  /** What the stream may have missed: finished, given-up, vanished jobs, and continuations whose worker is gone. */
  private async reconcile(): Promise<void> {
    for (const [key, entry] of [...this.awaited]) {
      if (this.closed) return;
      if (!entry.submitted) continue;
      try {
        await this.reconcileOne(key, entry);
      } catch {
        // Redis is away; the next round looks again.
      }
    }
  }

  private async reconcileOne(key: string, entry: Awaited): Promise<void> {
    const job = (await entry.queue.getJob(key)) as Job<AgentJob, JobReply> | undefined;
    const worker = entry.attempt.worker;
    if (!job) {
      // Gone from Redis (data lost in a restart): enqueue it again, once.
      if (entry.cancelling || entry.readded || !this.awaited.has(key)) return;
      entry.readded = true;
      return this.submit(key);
    }
    const state = await job.getState();
    if (state === 'completed') return this.settle(key, job.returnvalue.result);
    if (state === 'failed')
      return this.settle(key, this.localResult(entry.attempt, 'failed', 'internal', `the queue gave up on this job: ${job.failedReason}`));
    if (worker === undefined || entry.cancelling) return;
    entry.workerMissing = (await this.client.workerAlive(worker)) ? 0 : entry.workerMissing + 1;
    // Twice in a row: one miss may be a heartbeat delayed by a busy worker or a Redis restart.
    if (entry.workerMissing >= 2) {
      await job.remove().catch(() => undefined);
      this.settle(key, this.workerGone(entry.attempt, worker));
    }
  }

  private workerGone(attempt: QueuedAttempt, worker: string): AgentResult {
    return createResult({
      id: attempt.job.agentId,
      workspace: attempt.workspace,
      status: 'failed',
      error: {
        reason: 'worker-gone',
        message: `worker ${worker} holds this agent's workspace and session, and it is not running: start it again (herd worker --id ${worker}) and finish the run with herd resume ${attempt.job.runId} --retry-failed --queue <url>`,
      },
    });
  }

  private localResult(attempt: QueuedAttempt, status: 'failed' | 'cancelled', reason: 'internal' | 'canceled', message: string): AgentResult {
    return createResult({ id: attempt.job.agentId, workspace: attempt.workspace, status, attempts: attempt.job.attempt, error: { reason, message } });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.reconcileTimer);
    this.reader.disconnect();
    await this.reading;
  }
}

function notStarted(attempt: QueuedAttempt): AgentResult {
  return createResult({
    id: attempt.job.agentId,
    workspace: attempt.workspace,
    status: 'cancelled',
    error: { reason: 'canceled', message: 'not started: the run was cancelled' },
  });
}

/** A job stopped by an earlier cancel is not this launch's result. */
function isCancelledReply(reply: JobReply | undefined): boolean {
  return reply?.result.status === 'cancelled' && reply.result.error?.reason === 'canceled';
}
