// What submitters and workers say to each other through Redis: the job (a task, never the
// submitter's environment), the messages a worker streams back while it runs the job
// (started, agent signals, the result), and the names of every key and queue. Both sides
// import this file only, so the two ends cannot drift apart.

import type { ParsedSignal } from '../agents/adapter.js';
import type { AgentResult, AgentTask } from '../types.js';

/** BullMQ key prefix of every herd queue ("herd:agents:wait", ...). */
export const QUEUE_PREFIX = 'herd';
/** The queue every worker takes first turns from. */
export const SHARED_QUEUE = 'agents';

/** A worker's own queue: turns that must run where the agent's workspace is (continuation). */
export function workerQueueName(workerId: string): string {
  return `agents@${workerId}`;
}

/** Set while a worker runs; the value is its WorkerPresence; it expires when the worker stops renewing it. */
export function presenceKey(workerId: string): string {
  return `${QUEUE_PREFIX}:worker:${workerId}`;
}

/** A run's message stream: workers append, the submitting herd reads. */
export function runStreamKey(runId: string): string {
  return `${QUEUE_PREFIX}:run:${runId}:events`;
}

/** Set by a submitter that cancels a job some worker may be running; the worker stops the agent. */
export function cancelKey(jobKey: string): string {
  return `${QUEUE_PREFIX}:cancel:${jobKey}`;
}

/**
 * One attempt of one agent's turn. Also its BullMQ job id and the key results are recorded
 * by, so the same attempt is never run for two results nor recorded twice. "/" cannot occur in
 * run or agent ids, so the key is unambiguous.
 */
export function jobKey(runId: string, agentId: string, turn: number, attempt: number): string {
  return `${runId}/${agentId}/${turn}/${attempt}`;
}

export interface AgentJob {
  version: 1;
  key: string;
  runId: string;
  agentId: string;
  turn: number;
  attempt: number;
  /** The task as the submitter would run it; `env` holds only what the task (or --env) sets. */
  task: AgentTask;
  resumeSessionId?: string;
  /** The run asked for herd's stand-in model API (a worker runs such jobs only with --simulate). */
  simulated: boolean;
  killGraceMs?: number;
}

/** What a finished job returns (also its BullMQ return value, read back by `herd resume`). */
export interface JobReply {
  result: AgentResult;
  worker: string;
}

export type WorkerMessage =
  | { kind: 'start'; key: string; worker: string; workspace: string; pid?: number }
  | { kind: 'signal'; key: string; signal: ParsedSignal }
  | { kind: 'end'; key: string; reply: JobReply };

/** What a worker announces about itself under presenceKey. */
export interface WorkerPresence {
  id: string;
  host: string;
  pid: number;
  concurrency: number;
  simulate: boolean;
  allowCommand: boolean | string[];
}

/** The stream field that carries a WorkerMessage as JSON. */
export const MESSAGE_FIELD = 'm';

export function parseWorkerMessage(text: string): WorkerMessage | undefined {
  try {
    const value = JSON.parse(text) as WorkerMessage;
    return typeof value === 'object' && value !== null && typeof value.key === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * herd's task priority (higher first) as BullMQ's (1 is first, up to 2^21). Every job gets one:
 * BullMQ takes jobs without a priority before all prioritized ones, which would invert the order.
 */
export function bullPriority(priority: number | undefined): number {
  return Math.min(2_097_152, Math.max(1, 1_000_000 - Math.round(priority ?? 0)));
}
