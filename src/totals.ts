// The timing and cost account of a set of agent results: what parallelism bought.
// speedup = sum of agent durations / wall time; efficiency = speedup / concurrency used.

import { emptyUsage, type AgentResult, type Totals } from './types.js';

export function computeTotals(results: readonly AgentResult[], wallMs: number, concurrency: number): Totals {
  const ran = results.filter((result) => result.status !== 'skipped' && result.status !== 'pending' && result.status !== 'running');
  const agentMs = ran.reduce((sum, result) => sum + result.durationMs, 0);
  const used = Math.max(1, Math.min(concurrency, ran.length));
  const speedup = wallMs > 0 ? agentMs / wallMs : 0;
  const usage = emptyUsage();
  for (const result of results) {
    usage.inputTokens += result.usage.inputTokens;
    usage.outputTokens += result.usage.outputTokens;
    usage.cacheReadTokens += result.usage.cacheReadTokens;
    usage.cacheCreationTokens += result.usage.cacheCreationTokens;
  }
  return {
    costUsd: round(results.reduce((sum, result) => sum + result.costUsd, 0), 6),
    wallMs: Math.round(wallMs),
    agentMs: Math.round(agentMs),
    apiMs: Math.round(ran.reduce((sum, result) => sum + (result.durationApiMs ?? 0), 0)),
    speedup: round(speedup, 2),
    efficiency: round(speedup / used, 2),
    concurrency: used,
    succeeded: results.filter((result) => result.status === 'succeeded').length,
    failed: results.filter((result) => result.status !== 'succeeded').length,
    usage,
  };
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
