import { describe, expect, it } from 'vitest';
import { computeTotals } from '../../src/report/totals.js';
import { emptyUsage } from '../../src/results.js';
import type { AgentResult, RunSummary } from '../../src/types.js';
import { layoutBars } from '../../src/ui/web/chart-layout.js';
import { computeHistory, median } from '../../src/ui/history.js';

const result = (id: string, status: AgentResult['status'], startedAt: string, costUsd: number, durationMs: number, durationApiMs?: number): AgentResult => ({
  id,
  status,
  workspace: `/w/${id}`,
  costUsd,
  usage: emptyUsage(),
  durationMs,
  attempts: status === 'skipped' ? 0 : 1,
  startedAt,
  endedAt: startedAt,
  ...(durationApiMs === undefined ? {} : { durationApiMs }),
});

function run(runId: string, turns: AgentResult[][], models: Record<string, string> = {}): RunSummary {
  const ids = [...new Set(turns.flat().map((agent) => agent.id))];
  return {
    runId,
    status: 'succeeded',
    startedAt: turns[0]![0]!.startedAt,
    endedAt: turns[0]![0]!.startedAt,
    simulated: true,
    agents: ids.map((id) =>
      turns
        .flat()
        .filter((agent) => agent.id === id)
        .at(-1)!,
    ),
    totals: computeTotals([], 0, 1),
    turns: turns.map((agents, index) => ({
      turn: index + 1,
      startedAt: agents[0]!.startedAt,
      endedAt: agents[0]!.startedAt,
      agents,
      totals: computeTotals([], 0, 1),
    })),
    tasks: ids.map((id) => ({ id, prompt: 'p', ...(models[id] ? { model: models[id] } : {}), ...(id.startsWith('cmd') ? { agent: 'command' as const } : {}) })),
    workspaceRoot: '/w',
  };
}

describe('computeHistory', () => {
  const runs = [
    run(
      'r1',
      [
        [result('a', 'succeeded', '2026-11-30T10:00:00Z', 0.5, 1000, 800), result('b', 'failed', '2026-11-30T10:00:00Z', 0.25, 3000, 100)],
        [result('a', 'succeeded', '2026-12-01T09:00:00Z', 0.125, 500, 400)],
      ],
      { a: 'opus' },
    ),
    run('r2', [[result('cmd-1', 'succeeded', '2026-12-01T11:00:00Z', 0, 200), result('cmd-2', 'skipped', '2026-12-01T11:00:00Z', 0, 0)]]),
  ];
  const history = computeHistory(runs);

  it('adds money and agents per day, every turn counted', () => {
    expect(history.days).toEqual([
      { day: '2026-11-30', costUsd: 0.75, agents: 2, succeeded: 1, successRate: 0.5 },
      { day: '2026-12-01', costUsd: 0.125, agents: 3, succeeded: 2, successRate: 1 },
    ]);
    expect(history.costUsd).toBe(0.875);
    // Skipped agents never ran: they do not count for or against success.
    expect(history.successRate).toBe(3 / 4);
  });

  it('groups by agent type and model with medians of time and model wait', () => {
    const byKey = Object.fromEntries(history.groups.map((group) => [`${group.agentType}/${group.model}`, group]));
    expect(byKey['claude/opus']).toMatchObject({ agents: 2, costUsd: 0.625, successRate: 1, medianAgentMs: 750, medianApiMs: 600 });
    expect(byKey['claude/default']).toMatchObject({ agents: 1, successRate: 0, medianAgentMs: 3000, medianApiMs: 100 });
    expect(byKey['command/default']).toMatchObject({ agents: 2, medianAgentMs: 200, medianApiMs: undefined });
  });

  it('lists the costliest runs first', () => {
    expect(history.costliest.map((entry) => [entry.runId, entry.costUsd])).toEqual([
      ['r1', 0.875],
      ['r2', 0],
    ]);
  });

  it('median of odd, even and empty lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('layoutBars', () => {
  it('scales the tallest bar to the plot height and keeps bars inside the chart', () => {
    const layout = layoutBars(
      [
        { label: 'a', value: 2 },
        { label: 'b', value: 4 },
        { label: 'c', value: 0 },
      ],
      300,
      130,
    );
    const [a, b, c] = layout.bars;
    expect(b!.height).toBe(100);
    expect(a!.height).toBe(50);
    expect(c!.height).toBe(0);
    for (const bar of layout.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(0);
      expect(bar.x + bar.width).toBeLessThanOrEqual(300);
      expect(bar.y + bar.height).toBeCloseTo(108);
    }
  });

  it('draws nothing tall for all-zero data, and honours a fixed maximum (rates out of 1)', () => {
    expect(layoutBars([{ label: 'a', value: 0 }], 100, 100).bars[0]!.height).toBe(0);
    expect(layoutBars([{ label: 'a', value: 0.5 }], 100, 130, 1).bars[0]!.height).toBe(50);
  });
});
