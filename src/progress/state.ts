// The live picture of a turn, folded from HerdEvents: each agent's state, what it did last,
// and the batch counts and ETA. Pure (events in, snapshot out) so the TTY renderer stays a
// thin drawing layer and tests can feed recorded event sequences.

import type { HerdEvent } from '../events.js';
import type { AgentStatus } from '../types.js';

export type LiveState = 'queued' | 'running' | 'retrying' | Exclude<AgentStatus, 'pending' | 'running'>;

export interface LiveAgent {
  id: string;
  state: LiveState;
  turn: number;
  attempt: number;
  queuedTs: number;
  startedTs?: number;
  endedTs?: number;
  /** Assistant messages seen so far: Claude's agentic turns while it runs. */
  messages: number;
  /** numTurns the agent reported at its end. */
  numTurns?: number;
  /** What it is doing now, in words a person reads: starting, thinking, using Write on notes.md, answered. */
  activity?: string;
  excerpt?: string;
  costUsd?: number;
  durationMs?: number;
  retries: number;
  detail?: string;
}

export interface LiveSnapshot {
  runId: string;
  turn: number;
  concurrency: number;
  simulated: boolean;
  startedTs: number;
  /** In the order run.start listed them. */
  agents: LiveAgent[];
  /** Until this time the pool holds back new starts (rate limit). */
  waitingUntilTs?: number;
  waitingReason?: string;
  /** The run's spending so far (recorded + running estimates) and its cap, once known. */
  runCostUsd?: number;
  maxCostUsd?: number;
  ended: boolean;
}

export interface LiveCounts {
  total: number;
  /** Agents that finished their work (succeeded, failed, timed out or skipped); cancelled ones did not. */
  done: number;
  succeeded: number;
  /** failed, timed out or stopped at the spending cap. */
  failed: number;
  /** Of `failed`: stopped (or not started) at the spending cap. */
  budget: number;
  cancelled: number;
  skipped: number;
  running: number;
  queued: number;
  costUsd: number;
}

export function createSnapshot(): LiveSnapshot {
  return { runId: '', turn: 0, concurrency: 1, simulated: false, startedTs: 0, agents: [], ended: false };
}

/** Fold one event into the snapshot (mutates it: the renderer owns exactly one). */
export function applyEvent(snapshot: LiveSnapshot, event: HerdEvent): void {
  switch (event.type) {
    case 'run.start':
      Object.assign(snapshot, createSnapshot(), {
        runId: event.runId,
        turn: event.turn,
        concurrency: event.concurrency,
        simulated: event.simulated,
        startedTs: event.ts,
      });
      if (event.maxCostUsd !== undefined) snapshot.maxCostUsd = event.maxCostUsd;
      snapshot.agents = event.agents.map((id) => ({ id, state: 'queued', turn: event.turn, attempt: 0, queuedTs: event.ts, messages: 0, retries: 0 }));
      return;
    case 'agent.queued':
      upsert(snapshot, event.agentId, event.ts).queuedTs = event.ts;
      return;
    case 'agent.start': {
      const agent = upsert(snapshot, event.agentId, event.ts);
      agent.state = 'running';
      agent.attempt = event.attempt;
      agent.startedTs ??= event.ts;
      // A kept-alive process is up already: the turn goes straight to the model.
      agent.activity = event.warm ? 'thinking' : 'starting';
      return;
    }
    case 'agent.output': {
      const agent = upsert(snapshot, event.agentId, event.ts);
      if (event.kind === 'assistant') agent.messages += 1;
      if (agent.state === 'retrying') agent.state = 'running';
      // Only the shared words: an agent CLI's own line names (system/init) mean nothing to a person.
      if (event.activity !== undefined) agent.activity = event.activity;
      if (event.excerpt) agent.excerpt = event.excerpt;
      return;
    }
    case 'agent.tool':
      upsert(snapshot, event.agentId, event.ts).activity = describeTool(event);
      return;
    case 'agent.retry': {
      const agent = upsert(snapshot, event.agentId, event.ts);
      agent.state = 'retrying';
      agent.retries += 1;
      agent.activity = `${event.source === 'agent' ? 'API retry' : 'retry'} ${event.attempt}${event.status ? ` (HTTP ${event.status})` : ''}`;
      return;
    }
    case 'agent.end': {
      const agent = upsert(snapshot, event.agentId, event.ts);
      const { result } = event;
      agent.state = result.status === 'pending' || result.status === 'running' ? 'failed' : result.status;
      agent.endedTs = event.ts;
      agent.costUsd = result.costUsd;
      agent.durationMs = result.durationMs;
      if (result.numTurns !== undefined) agent.numTurns = result.numTurns;
      const detail = result.status === 'succeeded' ? result.result : (result.error?.message ?? result.result);
      if (detail !== undefined) agent.detail = detail;
      return;
    }
    case 'agent.cost': {
      const agent = upsert(snapshot, event.agentId, event.ts);
      if (agent.endedTs === undefined) agent.costUsd = event.costUsd;
      snapshot.runCostUsd = event.runCostUsd;
      if (event.maxCostUsd !== undefined) snapshot.maxCostUsd = event.maxCostUsd;
      return;
    }
    case 'run.waiting':
      snapshot.waitingUntilTs = event.untilTs;
      snapshot.waitingReason = event.reason;
      return;
    case 'run.end':
      snapshot.ended = true;
      return;
    default:
      return;
  }
}

/** `using Write on notes.md`, `using Bash: npm test`, or just `using WebSearch`. */
function describeTool(event: Extract<HerdEvent, { type: 'agent.tool' }>): string {
  if (event.file !== undefined) return `using ${event.tool} on ${event.file}`;
  if (event.command !== undefined) return `using ${event.tool}: ${event.command}`;
  return `using ${event.tool}`;
}

function upsert(snapshot: LiveSnapshot, id: string, ts: number): LiveAgent {
  let agent = snapshot.agents.find((candidate) => candidate.id === id);
  if (!agent) {
    // Events of an agent run.start did not list (a library user's own emitter): still shown.
    agent = { id, state: 'queued', turn: snapshot.turn, attempt: 0, queuedTs: ts, messages: 0, retries: 0 };
    snapshot.agents.push(agent);
  }
  return agent;
}

export const isActive = (agent: LiveAgent) => agent.state === 'running' || agent.state === 'retrying';
export const isDone = (agent: LiveAgent) => agent.state !== 'queued' && !isActive(agent);

export function countAgents(snapshot: LiveSnapshot): LiveCounts {
  const counts: LiveCounts = {
    total: snapshot.agents.length,
    done: 0,
    succeeded: 0,
    failed: 0,
    budget: 0,
    cancelled: 0,
    skipped: 0,
    running: 0,
    queued: 0,
    costUsd: 0,
  };
  for (const agent of snapshot.agents) {
    if (agent.state === 'queued') counts.queued += 1;
    else if (isActive(agent)) counts.running += 1;
    else if (agent.state === 'cancelled') counts.cancelled += 1;
    else {
      counts.done += 1;
      if (agent.state === 'succeeded') counts.succeeded += 1;
      else if (agent.state === 'skipped') counts.skipped += 1;
      else {
        counts.failed += 1;
        if (agent.state === 'budget') counts.budget += 1;
      }
    }
    counts.costUsd += agent.costUsd ?? 0;
  }
  return counts;
}

/**
 * Time left, from the mean duration of the agents that finished: running agents need what is
 * left of that mean, queued ones the whole of it, spread over the concurrency. Undefined until
 * one agent has finished (no honest basis before that).
 */
export function estimateRemainingMs(snapshot: LiveSnapshot, nowTs: number): number | undefined {
  const finished = snapshot.agents.filter((agent) => isDone(agent) && agent.durationMs !== undefined && agent.state !== 'skipped');
  const active = snapshot.agents.filter(isActive);
  const queued = snapshot.agents.filter((agent) => agent.state === 'queued');
  if (active.length === 0 && queued.length === 0) return 0;
  if (finished.length === 0) return undefined;
  const meanMs = finished.reduce((sum, agent) => sum + (agent.durationMs ?? 0), 0) / finished.length;
  const activeLeftMs = active.map((agent) => Math.max(0, meanMs - (nowTs - (agent.startedTs ?? nowTs))));
  const lanes = Math.max(1, Math.min(snapshot.concurrency, active.length + queued.length));
  const workMs = activeLeftMs.reduce((sum, left) => sum + left, 0) + queued.length * meanMs;
  // The longest running agent bounds the wait from below, whatever the average says.
  return Math.max(workMs / lanes, ...activeLeftMs);
}
