// The turn's part of the run record: opening a new turn or reopening the latest one (resume),
// marking an agent running, and putting a finished result in place. Pure bookkeeping on the
// in-memory summary; writing it to disk is the caller's.

import { computeTotals } from '../report/totals.js';
import type { TurnEntry } from '../turn.js';
import type { AgentResult, RunSummary, TurnSummary } from '../types.js';

export function openTurn(summary: RunSummary, entries: readonly TurnEntry[], prompt: string | undefined): TurnSummary {
  const now = new Date().toISOString();
  const turn: TurnSummary = {
    turn: summary.turns.length + 1,
    startedAt: now,
    endedAt: now,
    planned: entries.map((entry) => entry.task.id),
    agents: [],
    totals: computeTotals([], 0, 1),
  };
  if (prompt !== undefined) turn.prompt = prompt;
  summary.turns.push(turn);
  return turn;
}

/**
 * Resume: the agents being run again leave the turn's results; the rest stay as they are.
 * Returns their earlier results: their time and money still count.
 */
export function reopenTurn(turn: TurnSummary, entries: readonly TurnEntry[]): Map<string, AgentResult> {
  const rerun = new Set(entries.map((entry) => entry.task.id));
  const previous = new Map<string, AgentResult>();
  for (const agent of turn.agents) if (rerun.has(agent.id)) previous.set(agent.id, agent);
  turn.agents = turn.agents.filter((agent) => !rerun.has(agent.id));
  turn.planned = [...new Set([...(turn.planned ?? []), ...rerun])];
  return previous;
}

export function markRunning(summary: RunSummary, agentId: string): void {
  const agent = summary.agents.find((candidate) => candidate.id === agentId);
  if (agent) {
    agent.status = 'running';
    agent.startedAt = new Date().toISOString();
  }
}

/** The result joins its turn and becomes the agent's latest known result. */
export function placeResult(summary: RunSummary, turn: TurnSummary, result: AgentResult): void {
  turn.agents.push(result);
  const index = summary.agents.findIndex((agent) => agent.id === result.id);
  if (index === -1) summary.agents.push(result);
  else summary.agents[index] = result;
}

export function orderLike(ids: readonly string[] | undefined, results: AgentResult[]): AgentResult[] {
  if (!ids) return results;
  const position = new Map(ids.map((id, index) => [id, index]));
  return [...results].sort((a, b) => (position.get(a.id) ?? Infinity) - (position.get(b.id) ?? Infinity));
}

export function runStatus(agents: readonly AgentResult[], signal: AbortSignal | undefined): RunSummary['status'] {
  if (signal?.aborted || agents.some((agent) => agent.status === 'cancelled')) return 'cancelled';
  return agents.every((agent) => agent.status === 'succeeded') ? 'succeeded' : 'failed';
}
