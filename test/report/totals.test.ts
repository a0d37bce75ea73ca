import { describe, expect, it } from 'vitest';
import { computeTotals, peakConcurrency } from '../../src/report/totals.js';
import { emptyUsage } from '../../src/results.js';
import type { AgentResult } from '../../src/types.js';

/** A finished agent that ran from second `from` to second `to` of the run. */
function ran(id: string, from: number, to: number, status: AgentResult['status'] = 'succeeded'): AgentResult {
  const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, second)).toISOString();
  return {
    id,
    status,
    workspace: `/w/${id}`,
    costUsd: 0.01,
    usage: emptyUsage(),
    durationMs: (to - from) * 1000,
    attempts: 1,
    startedAt: at(from),
    endedAt: at(to),
  };
}

describe('totals', () => {
  it('counts the agents that really ran at once, not the limit', () => {
    expect(peakConcurrency([ran('a', 0, 5), ran('b', 1, 6), ran('c', 2, 7)])).toBe(3);
    // One after another (an end and the next start at the same instant do not overlap).
    expect(peakConcurrency([ran('a', 0, 2), ran('b', 2, 4), ran('c', 4, 6)])).toBe(1);
    expect(peakConcurrency([])).toBe(0);
  });

  it('gives a pipeline of dependent agents 1.00x at 100%, and N agents at once N-fold', () => {
    const pipeline = computeTotals([ran('research', 0, 2), ran('write', 2, 4), ran('review', 4, 6)], 6000, 8);
    expect(pipeline).toMatchObject({ agentMs: 6000, speedup: 1, efficiency: 1, concurrency: 1 });
    const together = computeTotals([ran('a', 0, 5), ran('b', 0, 5), ran('c', 0, 5), ran('d', 0, 5)], 5000, 8);
    expect(together).toMatchObject({ speedup: 4, efficiency: 1, concurrency: 4 });
    // A skipped agent did not run: it adds no time and no concurrency, but counts as not succeeded.
    const withSkipped = computeTotals([ran('a', 0, 5), ran('b', 0, 5), ran('c', 0, 9, 'skipped')], 5000, 8);
    expect(withSkipped).toMatchObject({ concurrency: 2, speedup: 2, efficiency: 1, succeeded: 2, failed: 1 });
  });
});
