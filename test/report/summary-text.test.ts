// The timing account says only what is true of the turn: no "saved" for a cancelled turn or
// a few milliseconds, no speedup when nothing succeeded, the limit when fewer ran at once,
// and a workflow's wall against its critical path.
import { describe, expect, it } from 'vitest';
import { renderRun, renderTimingAccount, renderTurn } from '../../src/report/summary-text.js';
import { computeTotals } from '../../src/report/totals.js';
import { emptyUsage } from '../../src/results.js';
import type { AgentResult, RunSummary, TurnSummary } from '../../src/types.js';

/** An agent that ran from second `from` to second `to`. */
function ran(id: string, from: number, to: number, status: AgentResult['status'] = 'succeeded'): AgentResult {
  const at = (second: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, 0, second * 1000)).toISOString();
  return {
    id,
    status,
    workspace: `/w/${id}`,
    costUsd: 0.0042,
    usage: emptyUsage(),
    durationMs: (to - from) * 1000,
    attempts: 1,
    startedAt: at(from),
    endedAt: at(to),
  };
}

function turnOf(agents: AgentResult[], wallMs: number, limit: number): TurnSummary {
  return { turn: 1, startedAt: agents[0]!.startedAt, endedAt: agents[0]!.endedAt, agents, totals: computeTotals(agents, wallMs, limit) };
}

describe('timing account', () => {
  it('a plain parallel turn: wall, saved, speedup at its concurrency, cost in the one money format', () => {
    const text = renderTimingAccount(computeTotals([ran('a', 0, 6), ran('b', 0, 6), ran('c', 0, 6)], 6000, 3));
    expect(text).toBe(
      [
        'agents     3 succeeded, 0 not',
        'wall       6.0s  (sum of agent time 18.0s, 12.0s saved)',
        'speedup    3.00x at concurrency 3  (efficiency 100%; sum of agent time / wall)',
        'cost       $0.013  (0 tokens in, 0 out)',
      ].join('\n'),
    );
  });

  it('names the limit when fewer agents ran at once than it allowed (a gated start), instead of a second "concurrency"', () => {
    // 8 allowed; the start gate let at most 7 overlap.
    const agents = [ran('a', 0, 4), ...Array.from({ length: 6 }, (_, index) => ran(`b${index}`, 1, 5)), ran('z', 4, 8)];
    const text = renderTimingAccount(computeTotals(agents, 8000, 8));
    expect(text).toMatch(/^speedup {4}\d\.\d\dx at most 7 at once \(of 8 allowed\) {2}\(efficiency \d+%;/m);
    expect(text).not.toMatch(/at concurrency 7/);
  });

  it('no "saved" for a cancelled turn (Ctrl-C) and no speedup either', () => {
    const turn = turnOf([ran('a', 0, 5, 'cancelled'), ran('b', 0, 5, 'cancelled'), ran('c', 0, 5), ran('d', 0, 5)], 5000, 4);
    const text = renderTurn(turn);
    expect(text).toMatch(/^wall {7}5\.0s {2}\(interrupted; sum of agent time 20\.0s\)$/m);
    expect(text).not.toMatch(/saved|speedup/);
  });

  it('no "saved" for a few milliseconds', () => {
    const quick = [ran('a', 0, 0.004), ran('b', 0, 0.004)];
    expect(renderTimingAccount(computeTotals(quick, 5, 2))).toMatch(/^wall {7}5ms {2}\(sum of agent time 8ms\)$/m);
  });

  it('no speedup and no "saved" when nothing succeeded', () => {
    const text = renderTimingAccount(computeTotals([ran('a', 0, 5, 'failed'), ran('b', 0, 5, 'failed')], 5000, 2));
    expect(text).toMatch(/^wall {7}5\.0s {2}\(sum of agent time 10\.0s\)$/m);
    expect(text).not.toMatch(/saved|speedup|efficiency/);
  });

  it('judges a workflow turn against its critical path, not an efficiency a dependency chain cannot reach', () => {
    // compete (3 at once, 5 s) -> judge (5 s) -> polish (4 s): the critical path is 14 s.
    const agents = [ran('solve-1', 0, 5), ran('solve-2', 0, 5), ran('solve-3', 0, 5), ran('pick', 5, 10), ran('polish', 10, 14)];
    const turn = turnOf(agents, 14_200, 8);
    const summary = {
      runId: 'r',
      status: 'succeeded',
      startedAt: turn.startedAt,
      endedAt: turn.endedAt,
      simulated: true,
      agents,
      totals: turn.totals,
      turns: [turn],
      tasks: [],
      workspaceRoot: '/w',
      workflow: { vars: {}, tasks: [], stages: [], judgements: [], criticalPath: { agents: ['solve-1', 'pick', 'polish'], ms: 14_000 } },
    } satisfies RunSummary;
    const text = renderRun(summary, 60, 'npx herd');
    expect(text).toMatch(/^wall {7}14\.2s {2}\(101% of the critical path, 14\.0s; sum of agent time 24\.0s\)$/m);
    expect(text).toMatch(/^speedup {4}1\.69x {2}\(sum of agent time \/ wall; the critical path allows at most 1\.71x\)$/m);
    expect(text).not.toMatch(/efficiency/);
    expect(text).toMatch(/^full answers: npx herd show r --agent solve-1 .* npx herd report r$/m);
  });
});
