// The timing and cost account of a set of agent results: what parallelism bought.
// speedup = sum of agent durations / wall time; efficiency = speedup / concurrency used, where
// "used" is the most agents that actually ran at the same moment (capped by the limit): a
// pipeline of three dependent tasks used 1, not 3, and is 100% efficient at 1.00x.

import { emptyUsage } from '../results.js';
import type { AgentResult, Totals } from '../types.js';

export function computeTotals(results: readonly AgentResult[], wallMs: number, concurrency: number): Totals {
  const ran = results.filter((result) => result.status !== 'skipped' && result.status !== 'pending' && result.status !== 'running');
  const agentMs = ran.reduce((sum, result) => sum + result.durationMs, 0);
  const used = Math.max(1, Math.min(concurrency, peakConcurrency(ran)));
  const speedup = wallMs > 0 ? agentMs / wallMs : 0;
  const usage = emptyUsage();
  for (const result of results) {
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    usage.cacheReadTokens += result.usage.cacheReadTokens;
    usage.cacheCreationTokens += result.usage.cacheCreationTokens;
  }
  const budget = results.filter((result) => result.status === 'budget').length;
  return {
    costUsd: round(
      results.reduce((sum, result) => sum + result.costUsd, 0),
      6,
    ),
    wallMs: Math.round(wallMs),
    agentMs: Math.round(agentMs),
    apiMs: Math.round(ran.reduce((sum, result) => sum + (result.durationApiMs ?? 0), 0)),
    speedup: round(speedup, 2),
    efficiency: round(speedup / used, 2),
    concurrency: used,
    concurrencyLimit: Math.max(1, Math.min(concurrency, ran.length)),
    succeeded: results.filter((result) => result.status === 'succeeded').length,
    failed: results.filter((result) => result.status !== 'succeeded').length,
    ...(budget > 0 ? { budget } : {}),
    usage,
  };
}

/** The most results whose [startedAt, endedAt] overlap at one instant (touching ends do not overlap). */
export function peakConcurrency(results: readonly AgentResult[]): number {
  const edges: Array<[number, number]> = [];
  for (const result of results) {
    const start = Date.parse(result.startedAt);
    const end = Date.parse(result.endedAt);
    if (Number.isNaN(start) || Number.isNaN(end)) continue;
    edges.push([start, 1], [Math.max(start, end), -1]);
  }
  // At equal times an end comes before a start.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let peak = 0;
  for (const [, change] of edges) {
    running += change;
    peak = Math.max(peak, running);
  }
  return peak;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
