// The spending cap with the real claude on the stand-in API: 10 agents, each a tool loop of six
// model calls (five Write calls, then the answer) of fixed usage ([sim:usage]), four at a time,
// under a cap that pays for about half the work. The recorded total stays within the bound the
// README states (the cap plus one model call per running agent), the rest end as 'budget', and
// resume with a higher cap finishes exactly those: the stand-in sees no request from an agent
// that had finished.

import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf } from '../../src/agents/prices.js';
import type { HerdEvent } from '../../src/events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { makeTempDir } from '../helpers.js';

const AGENTS = 10;
const CALLS = 6;
const CONCURRENCY = 4;
const CAP_USD = 1.5;
// claude 2.1.197 asks for claude-opus-4-8 by default ($5 / $25 per million tokens); 10 output tokens per call.
const CALL_USD = costOf('claude-opus-4-8', { inputTokens: 10_000, outputTokens: 10, cacheReadTokens: 0, cacheCreationTokens: 0 });

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await root.cleanup();
});

const requests = new Map<string, number>();
const countRequest = (agent: string) => requests.set(agent, (requests.get(agent) ?? 0) + 1);
// Half a second per call: herd reads each agent's stream well within one model call, as with a real model.
const simulate = { latencyMs: 500, onMessage: countRequest };
const loop = Array.from({ length: CALLS - 1 }, (_, index) => `[sim:write f${index}.txt]`).join(' ');
const tasks: AgentTask[] = Array.from({ length: AGENTS }, (_, index) => ({
  id: `w${index + 1}`,
  prompt: `Write five notes ${loop} [sim:usage 10000 10]`,
  permissionMode: 'acceptEdits',
}));

describe('--max-cost with the real claude on the stand-in API', () => {
  let first: RunSummary;

  it('stops at the cap within the stated bound; the rest are recorded as budget', async () => {
    const events: HerdEvent[] = [];
    const supervisor = new Supervisor({
      workspaceRoot: root.path,
      simulate,
      concurrency: CONCURRENCY,
      maxCostUsd: CAP_USD,
      onEvent: (event) => events.push(event),
    });
    first = await supervisor.run(tasks);
    const statuses = first.agents.map((agent) => agent.status);
    const succeeded = statuses.filter((status) => status === 'succeeded').length;
    const stopped = statuses.filter((status) => status === 'budget').length;
    expect(succeeded + stopped, JSON.stringify(first.agents.map((agent) => [agent.id, agent.status, agent.error?.message]))).toBe(AGENTS);
    // About half: at most four run at once, so at least one had finished before the cap; six calls each cost twice the cap.
    expect(succeeded).toBeGreaterThanOrEqual(1);
    expect(stopped).toBeGreaterThanOrEqual(1);
    for (const agent of first.agents.filter((candidate) => candidate.status === 'succeeded')) {
      expect(agent.costUsd).toBeCloseTo(CALLS * CALL_USD, 6);
      expect(agent.costEstimated).toBeUndefined();
    }
    const total = first.agents.reduce((sum, agent) => sum + agent.costUsd, 0);
    expect(first.totals.costUsd).toBeCloseTo(total, 6);
    // The bound: the cap, plus at most one model call per agent running when it was reached
    // (1% over for herd's estimate of the calls it stopped: output tokens guessed from the text).
    console.log(
      `budget.claude: ${succeeded} succeeded, ${stopped} stopped; recorded $${total.toFixed(4)} against a $${CAP_USD} cap (bound $${(CAP_USD + CONCURRENCY * CALL_USD).toFixed(4)})`,
    );
    expect(total).toBeLessThanOrEqual(CAP_USD + CONCURRENCY * CALL_USD * 1.01);
    expect(total).toBeGreaterThanOrEqual(CAP_USD * 0.99);
    const cap = events.find((event) => event.type === 'run.budget');
    expect(cap).toMatchObject({ level: 'cap', limitUsd: CAP_USD });
    // What a stopped agent had done stays: its session (to continue) and its files.
    for (const agent of first.agents.filter((candidate) => candidate.status === 'budget' && candidate.attempts > 0)) {
      expect(agent.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(agent.costEstimated).toBe(true);
    }
  });

  it('resume with a higher cap finishes the stopped agents and sends nothing for the finished ones', async () => {
    const before = new Map(requests);
    const finished = first.agents.filter((agent) => agent.status === 'succeeded').map((agent) => agent.id);
    const resumed = await new Supervisor({ workspaceRoot: root.path, simulate, concurrency: CONCURRENCY, maxCostUsd: 10 }).resume(first.runId);
    expect(resumed.agents.map((agent) => agent.status)).toEqual(Array(AGENTS).fill('succeeded'));
    for (const id of finished) {
      expect(requests.get(id), id).toBe(before.get(id));
      expect(resumed.agents.find((agent) => agent.id === id)).toEqual(first.agents.find((agent) => agent.id === id));
    }
    for (const agent of resumed.agents.filter((candidate) => !finished.includes(candidate.id))) {
      expect(requests.get(agent.id)! - (before.get(agent.id) ?? 0), agent.id).toBe(CALLS);
      expect((await readdir(agent.workspace)).sort()).toEqual(['f0.txt', 'f1.txt', 'f2.txt', 'f3.txt', 'f4.txt']);
    }
    expect(resumed.budget).toEqual({ maxCostUsd: 10 });
  });
});
