// The execution account of a finished workflow run: per stage, wall time, sum of agent
// time (the sequential estimate), time saved, speedup, efficiency, cost and what was
// skipped and why; and the critical path, the chain of dependent agents that took longest.

import type { AgentResult, StageAccount } from '../types.js';
import type { WorkflowAgent, WorkflowGroup } from './spec.js';
import { peakConcurrency } from '../report/totals.js';

export function computeStageAccounts(groups: readonly WorkflowGroup[], results: ReadonlyMap<string, AgentResult>, concurrency: number): StageAccount[] {
  const stageCount = Math.max(0, ...groups.map((group) => group.stage));
  return Array.from({ length: stageCount }, (_, index) => {
    const agents = groups.filter((group) => group.stage === index + 1).flatMap((group) => group.agents);
    return accountStage(index + 1, agents, results, concurrency);
  });
}

function accountStage(stage: number, agents: string[], results: ReadonlyMap<string, AgentResult>, concurrency: number): StageAccount {
  const finished = agents.map((id) => results.get(id)).filter((result): result is AgentResult => result !== undefined);
  const ran = finished.filter((result) => result.attempts > 0);
  const agentMs = ran.reduce((sum, result) => sum + result.durationMs, 0);
  const wallMs =
    ran.length === 0 ? 0 : Math.max(...ran.map((result) => Date.parse(result.endedAt))) - Math.min(...ran.map((result) => Date.parse(result.startedAt)));
  const speedup = wallMs > 0 ? agentMs / wallMs : 0;
  return {
    stage,
    agents,
    wallMs,
    agentMs,
    savedMs: Math.max(0, agentMs - wallMs),
    speedup: round2(speedup),
    efficiency: round2(speedup / Math.max(1, Math.min(concurrency, peakConcurrency(ran)))),
    costUsd: Math.round(finished.reduce((sum, result) => sum + result.costUsd, 0) * 1e6) / 1e6,
    succeeded: finished.filter((result) => result.status === 'succeeded').length,
    failed: finished.filter((result) => result.status !== 'succeeded' && result.status !== 'skipped').length,
    skipped: finished.filter((result) => result.status === 'skipped').map((result) => ({ id: result.id, reason: result.error?.message ?? 'skipped' })),
  };
}

/**
 * The longest chain of dependent agents, weighed by `durationOf` (actual durations after a
 * run, estimates in a plan). Memoised depth-first: the graph is acyclic (checked earlier).
 */
export function findCriticalPath(agents: readonly WorkflowAgent[], durationOf: (id: string) => number): { agents: string[]; ms: number } {
  const byId = new Map(agents.map((agent) => [agent.task.id, agent]));
  const best = new Map<string, { ms: number; via?: string }>();
  const finishOf = (id: string): number => {
    const known = best.get(id);
    if (known) return known.ms;
    let via: string | undefined;
    let start = 0;
    for (const edge of byId.get(id)?.dependsOn ?? []) {
      const finish = finishOf(edge.id);
      if (via === undefined || finish > start) {
        start = finish;
        via = edge.id;
      }
    }
    const entry: { ms: number; via?: string } = { ms: start + durationOf(id) };
    if (via !== undefined) entry.via = via;
    best.set(id, entry);
    return entry.ms;
  };
  let end: string | undefined;
  for (const id of byId.keys()) if (end === undefined || finishOf(id) > finishOf(end)) end = id;
  const chain: string[] = [];
  for (let id = end; id !== undefined; id = best.get(id)?.via) chain.unshift(id);
  return { agents: chain, ms: end === undefined ? 0 : Math.round(finishOf(end)) };
}

const round2 = (value: number) => Math.round(value * 100) / 100;
