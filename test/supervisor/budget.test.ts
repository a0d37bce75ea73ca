// The run's spending cap with fake claudes that each make one model call (streamed usage: $0.15
// at herd's price for an unknown model) and then wait to be stopped: the cap stops the running
// ones and starts none of the rest, all recorded as 'budget' with their estimated cost and
// session; a warning comes once; resume with a higher cap finishes exactly those agents.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { readRun } from '../../src/store/run-store.js';
import { RunBudget } from '../../src/supervisor/budget.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { DEFAULT_PRICES } from '../../src/agents/prices.js';
import { createResult } from '../../src/results.js';
import { fakeClaude, makeTempDir } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

/** One call of 10,000 input tokens and 'working on it' (4 tokens) at herd's price for unknown models ($15 / $75 per million). */
const CALL_USD = 10_000 * 15e-6 + 4 * 75e-6;

describe('run budget (fake claude)', () => {
  it('at the cap: stops the running agents, starts none of the rest, records them as budget; resume with more finishes only them', async () => {
    const events: HerdEvent[] = [];
    const options = { workspaceRoot: root.path, claudeBin: fakeClaude, concurrency: 3 };
    const first = new Supervisor({ ...options, maxCostUsd: 0.4, warnCostUsd: 0.2, onEvent: (event) => events.push(event) });
    // "quick" ends first (its reported $0.001), freeing the slot s3 takes; s1-s3 then spend $0.15 each: the third crosses $0.40.
    const tasks = [
      { id: 'quick', prompt: 'mode:ok' },
      { id: 's1', prompt: 'mode:spend' },
      { id: 's2', prompt: 'mode:spend' },
      { id: 's3', prompt: 'mode:spend' },
      { id: 'later', prompt: 'mode:ok' },
    ];
    const summary = await first.run(tasks);
    const byId = Object.fromEntries(summary.agents.map((agent) => [agent.id, agent]));
    expect(byId['quick']).toMatchObject({ status: 'succeeded', costUsd: 0.001 });
    for (const id of ['s1', 's2', 's3']) {
      expect(byId[id]).toMatchObject({ status: 'budget', costEstimated: true, attempts: 1, error: { reason: 'budget' } });
      expect(byId[id]!.error!.message).toMatch(/^stopped: the run reached its spending cap \(\$0\.452 of its \$0\.400 cap\)$/);
      expect(byId[id]!.costUsd).toBeCloseTo(CALL_USD, 8);
      expect(byId[id]!.usage.inputTokens).toBe(10_000);
      expect(byId[id]!.sessionId).toMatch(/^fake-/);
      // Partial output: what it had said before it was stopped.
      expect(byId[id]!.result).toBe('working on it');
    }
    expect(byId['later']).toMatchObject({ status: 'budget', attempts: 0, costUsd: 0, error: { reason: 'budget' } });
    expect(byId['later']!.error!.message).toMatch(/^not started: the run reached its spending cap/);
    expect(summary.status).toBe('failed');
    expect(summary.totals).toMatchObject({ succeeded: 1, failed: 4, budget: 4 });
    expect(summary.totals.costUsd).toBeCloseTo(0.001 + 3 * CALL_USD, 6);
    expect(summary.budget).toEqual({ maxCostUsd: 0.4, warnCostUsd: 0.2 });
    expect((await readRun(root.path, summary.runId)).budget).toEqual({ maxCostUsd: 0.4, warnCostUsd: 0.2 });

    const limits = events.filter((event) => event.type === 'run.budget');
    expect(limits.map((event) => event.level)).toEqual(['warning', 'cap']);
    expect(events.find((event) => event.type === 'run.start')).toMatchObject({ maxCostUsd: 0.4 });
    const costs = events.filter((event) => event.type === 'agent.cost');
    expect(costs.at(-1)).toMatchObject({ maxCostUsd: 0.4 });
    expect(Math.max(...costs.map((event) => event.runCostUsd))).toBeCloseTo(0.001 + 3 * CALL_USD, 6);

    // The stored cap still holds: resumed without a new one, nothing starts.
    const same = await new Supervisor(options).resume(summary.runId);
    expect(same.agents.filter((agent) => agent.status === 'budget').map((agent) => agent.id)).toEqual(['s1', 's2', 's3', 'later']);
    expect(same.agents.find((agent) => agent.id === 's1')!.sessionId).toBe(byId['s1']!.sessionId);
    expect(same.totals.costUsd).toBeCloseTo(summary.totals.costUsd, 6);

    const resumedEvents: HerdEvent[] = [];
    const resumed = await new Supervisor({ ...options, maxCostUsd: 5, onEvent: (event) => resumedEvents.push(event) }).resume(summary.runId);
    expect(resumed.status).toBe('succeeded');
    const started = resumedEvents.filter((event) => event.type === 'agent.start').map((event) => event.agentId);
    expect(started.sort()).toEqual(['later', 's1', 's2', 's3']);
    const after = Object.fromEntries(resumed.agents.map((agent) => [agent.id, agent]));
    expect(after['quick']).toEqual(byId['quick']);
    // Each stopped agent continued its own session; its earlier (estimated) spending still counts.
    expect(after['s1']!.result).toBe(`fake answer to: mode:spend (resumed ${byId['s1']!.sessionId})`);
    expect(after['s1']!.costUsd).toBeCloseTo(CALL_USD + 0.001, 8);
    expect(resumed.budget).toEqual({ maxCostUsd: 5, warnCostUsd: 0.2 });
  });

  it('a run already at its cap starts nothing; without a cap nothing is stopped', async () => {
    const events: HerdEvent[] = [];
    const open = await new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude }).run([{ id: 'a', prompt: 'mode:ok' }]);
    expect(open.budget).toBeUndefined();
    const capped = new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude, maxCostUsd: 0.001, onEvent: (event) => events.push(event) });
    const turn = await capped.continue(open.runId, 'mode:ok again');
    expect(turn.turns[1]!.agents[0]).toMatchObject({ status: 'budget', attempts: 0, sessionId: open.agents[0]!.sessionId });
    expect(events.some((event) => event.type === 'agent.start')).toBe(false);
    expect(events.filter((event) => event.type === 'run.budget')).toMatchObject([{ level: 'cap', limitUsd: 0.001 }]);
  });

  it('rejects a cap that is not a positive amount', () => {
    expect(() => new Supervisor({ workspaceRoot: root.path, maxCostUsd: 0 })).toThrow(/maxCostUsd: expected an amount of USD above 0/);
    expect(() => new Supervisor({ workspaceRoot: root.path, warnCostUsd: -1 })).toThrow(/warnCostUsd/);
  });
});

describe('RunBudget', () => {
  const listener = () => {
    const seen: string[] = [];
    return { seen, listener: { onLimit: (level: string, spent: number) => seen.push(`${level} ${spent.toFixed(4)}`), onCost: () => undefined } };
  };
  const usage = (inputTokens: number, outputTokens = 1) => ({ inputTokens, outputTokens, cacheReadTokens: 0, cacheCreationTokens: 0 });

  it('counts each model call once (its lines share a message id), output from the text it generated, and settles on the reported total', () => {
    const { seen, listener: events } = listener();
    const budget = new RunBudget({ spentBeforeUsd: 1, maxCostUsd: 1.2, prices: DEFAULT_PRICES, listener: events });
    const call = { kind: 'usage' as const, messageId: 'm1', model: 'claude-sonnet-4-5-20250929', usage: usage(10_000), outputChars: 400 };
    budget.observe('a', call);
    budget.observe('a', { ...call, outputChars: 400 });
    // 10,000 in at $3/M + 200 out (800 chars) at $15/M.
    expect(budget.totalUsd).toBeCloseTo(1 + 0.03 + 0.003, 9);
    expect(budget.stopped).toBe(false);
    const settled = budget.settle('a', { ...createResult({ id: 'a', workspace: '/w', status: 'succeeded', attempts: 1 }), costUsd: 0.05 });
    expect(settled.costEstimated).toBeUndefined();
    expect(budget.totalUsd).toBeCloseTo(1.05, 9);
    budget.observe('b', { kind: 'usage', model: 'claude-opus-4-8', usage: usage(30_000), outputChars: 0 });
    expect(seen).toEqual(['cap 1.2000']);
    expect(budget.signal.aborted).toBe(true);
    // Without a reported cost, the attempt is recorded at the estimate.
    const stopped = budget.settle('b', createResult({ id: 'b', workspace: '/w', status: 'cancelled', attempts: 1 }));
    expect(stopped).toMatchObject({ costEstimated: true, usage: usage(30_000) });
    expect(stopped.costUsd).toBeCloseTo(0.15 + 25e-6, 9);
  });
});
