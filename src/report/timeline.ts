// The timeline of a run, turn by turn: for each agent of each turn when it was queued, when
// it started and ended, its retries and whether it timed out. Built from events.jsonl (the
// queue and retries exist only there) with run.json as the fallback, so a run recorded
// without events, or killed half-way, still draws. Pure: no files, no HTML.

import type { HerdEvent } from '../events.js';
import type { AgentResult, AgentStatus, RunSummary, TurnSummary } from '../types.js';

export interface TimelineRetry {
  /** Since the turn's origin. */
  atMs: number;
  attempt: number;
  status?: number;
  source: 'agent' | 'herd';
}

export interface TimelineBar {
  agentId: string;
  turn: number;
  /** 'running' when the record has a start but no end (the run was killed or is still going). */
  status: AgentStatus;
  queuedAtMs: number;
  startAtMs: number;
  endAtMs: number;
  /** How many times the process was started (herd retries). */
  attempts: number;
  retries: TimelineRetry[];
  timedOut: boolean;
  costUsd: number;
  durationMs: number;
}

export interface TimelineTurn {
  turn: number;
  prompt?: string;
  /** Epoch ms all offsets count from: the turn's start. */
  originTs: number;
  /** From the origin to the last end: the turn's wall time as the chart shows it. */
  spanMs: number;
  bars: TimelineBar[];
}

type EventOf<T extends HerdEvent['type']> = Extract<HerdEvent, { type: T }>;

export function buildTimeline(summary: RunSummary, events: readonly HerdEvent[]): TimelineTurn[] {
  const turns = splitEventsByTurn(events);
  return summary.turns.map((turn) => buildTurn(turn, turns.get(turn.turn) ?? []));
}

/**
 * Events in file order; a turn's events run from its run.start to the next one. Events without
 * a turn field (retries) belong to the turn in progress when they were written.
 */
function splitEventsByTurn(events: readonly HerdEvent[]): Map<number, HerdEvent[]> {
  const byTurn = new Map<number, HerdEvent[]>();
  let current: HerdEvent[] | undefined;
  for (const event of events) {
    if (event.type === 'run.start') {
      current = [];
      byTurn.set(event.turn, current);
    }
    current?.push(event);
  }
  return byTurn;
}

function buildTurn(turn: TurnSummary, events: readonly HerdEvent[]): TimelineTurn {
  const start = events.find((event): event is EventOf<'run.start'> => event.type === 'run.start');
  const originTs = start?.ts ?? Date.parse(turn.startedAt);
  const ids = agentIdsOf(turn, events);
  const bars = ids.map((id) => buildBar(id, turn, events, originTs));
  const lastEndMs = Math.max(0, ...bars.map((bar) => bar.endAtMs));
  const result: TimelineTurn = { turn: turn.turn, originTs, spanMs: Math.max(lastEndMs, turn.totals.wallMs, 1), bars };
  if (turn.prompt !== undefined) result.prompt = turn.prompt;
  return result;
}

/** The turn's agents in run.start's order, plus any that only the record knows. */
function agentIdsOf(turn: TurnSummary, events: readonly HerdEvent[]): string[] {
  const ids: string[] = [];
  const add = (id: string) => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const event of events) {
    if (event.type === 'run.start') event.agents.forEach(add);
    else if (event.type === 'agent.queued' || event.type === 'agent.start' || event.type === 'agent.end') add(event.agentId);
  }
  turn.agents.forEach((agent) => add(agent.id));
  return ids;
}

function buildBar(agentId: string, turn: TurnSummary, events: readonly HerdEvent[], originTs: number): TimelineBar {
  const mine = events.filter((event) => 'agentId' in event && event.agentId === agentId);
  const queued = mine.find((event): event is EventOf<'agent.queued'> => event.type === 'agent.queued');
  const starts = mine.filter((event): event is EventOf<'agent.start'> => event.type === 'agent.start');
  const end = mine.find((event): event is EventOf<'agent.end'> => event.type === 'agent.end');
  const result: AgentResult | undefined = end?.result ?? turn.agents.find((agent) => agent.id === agentId);
  const lastTs = Math.max(originTs, ...events.map((event) => event.ts));

  const endTs = end?.ts ?? (result ? Date.parse(result.endedAt) : lastTs);
  // An agent that never ran (skipped, cancelled before its start) starts where it ended.
  const startTs = starts[0]?.ts ?? (result && result.attempts > 0 ? Date.parse(result.startedAt) : endTs);
  const queuedTs = queued?.ts ?? originTs;
  const at = (ts: number) => Math.max(0, ts - originTs);
  const retries = mine
    .filter((event): event is EventOf<'agent.retry'> => event.type === 'agent.retry')
    .map((event) => {
      const retry: TimelineRetry = { atMs: at(event.ts), attempt: event.attempt, source: event.source };
      if (event.status !== undefined) retry.status = event.status;
      return retry;
    });
  const status: AgentStatus = result?.status ?? (starts.length > 0 ? 'running' : 'pending');
  return {
    agentId,
    turn: turn.turn,
    status,
    queuedAtMs: at(Math.min(queuedTs, startTs)),
    startAtMs: at(startTs),
    endAtMs: at(Math.max(endTs, startTs)),
    attempts: Math.max(starts.length, result?.attempts ?? 0),
    retries,
    timedOut: status === 'timeout' || result?.error?.reason === 'timeout' || result?.error?.reason === 'idle',
    costUsd: result?.costUsd ?? 0,
    durationMs: result?.durationMs ?? Math.max(0, endTs - startTs),
  };
}
