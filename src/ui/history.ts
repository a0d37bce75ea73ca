// How runs went over time, across every run under the root: money and agents per day, success
// rate, median agent time and model wait, by agent type and model, and the costliest runs.
// Pure: run records in, numbers out (the page draws them).

import type { AgentResult, RunSummary } from '../types.js';

export interface DayStats {
  /** YYYY-MM-DD (UTC) of the agents' start. */
  day: string;
  costUsd: number;
  agents: number;
  succeeded: number;
  /** Of the agents that ended (skipped ones left out). */
  successRate: number;
}

export interface GroupStats {
  agentType: string;
  model: string;
  agents: number;
  costUsd: number;
  successRate: number;
  medianAgentMs: number;
  /** Median time the agents said they waited for the model API (where they report it). */
  medianApiMs: number | undefined;
}

export interface CostlyRun {
  runId: string;
  startedAt: string;
  costUsd: number;
  agents: number;
  status: RunSummary['status'];
}

export interface History {
  runs: number;
  agents: number;
  costUsd: number;
  successRate: number;
  days: DayStats[];
  groups: GroupStats[];
  costliest: CostlyRun[];
}

const ENDED = new Set<AgentResult['status']>(['succeeded', 'failed', 'timeout', 'cancelled']);

interface AgentRow {
  result: AgentResult;
  agentType: string;
  model: string;
}

/** Every agent turn of every run (a continued agent counts once per turn: each cost money and time). */
function agentRows(runs: readonly RunSummary[]): AgentRow[] {
  const rows: AgentRow[] = [];
  for (const run of runs) {
    const tasks = new Map(run.tasks.map((task) => [task.id, task]));
    for (const turn of run.turns) {
      for (const result of turn.agents) {
        const task = tasks.get(result.id);
        rows.push({ result, agentType: task?.agent ?? 'claude', model: task?.model ?? 'default' });
      }
    }
  }
  return rows;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function successRate(rows: readonly AgentRow[]): number {
  const ended = rows.filter((row) => ENDED.has(row.result.status));
  return ended.length === 0 ? 0 : ended.filter((row) => row.result.status === 'succeeded').length / ended.length;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}

export function computeHistory(runs: readonly RunSummary[]): History {
  const rows = agentRows(runs).filter((row) => row.result.status !== 'pending');
  const days = [...groupBy(rows, (row) => row.result.startedAt.slice(0, 10))]
    .map(([day, dayRows]) => ({
      day,
      costUsd: sum(dayRows.map((row) => row.result.costUsd)),
      agents: dayRows.length,
      succeeded: dayRows.filter((row) => row.result.status === 'succeeded').length,
      successRate: successRate(dayRows),
    }))
    .sort((a, b) => a.day.localeCompare(b.day));
  const groups = [...groupBy(rows, (row) => `${row.agentType}\u0000${row.model}`)]
    .map(([, groupRows]) => ({
      agentType: groupRows[0]!.agentType,
      model: groupRows[0]!.model,
      agents: groupRows.length,
      costUsd: sum(groupRows.map((row) => row.result.costUsd)),
      successRate: successRate(groupRows),
      medianAgentMs: median(groupRows.filter((row) => row.result.attempts > 0).map((row) => row.result.durationMs)) ?? 0,
      medianApiMs: median(groupRows.flatMap((row) => (row.result.durationApiMs === undefined ? [] : [row.result.durationApiMs]))),
    }))
    .sort((a, b) => b.costUsd - a.costUsd);
  const costliest = runs
    .map((run) => ({
      runId: run.runId,
      startedAt: run.startedAt,
      status: run.status,
      agents: run.agents.length,
      costUsd: sum(run.turns.flatMap((turn) => turn.agents.map((agent) => agent.costUsd))),
    }))
    .sort((a, b) => b.costUsd - a.costUsd)
    .slice(0, 10);
  return {
    runs: runs.length,
    agents: rows.length,
    costUsd: sum(rows.map((row) => row.result.costUsd)),
    successRate: successRate(rows),
    days,
    groups,
    costliest,
  };
}
