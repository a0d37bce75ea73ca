// The real claude CLI against injected API failures from the simulate server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { findTaggedProcesses } from '../../src/process/kill-tree.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { makeTempDir } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await root.cleanup();
});

describe('real claude with injected API failures', () => {
  it("surfaces claude's own 429 retries as agent.retry events, holds new starts, and isolates a permanent 500", async () => {
    const events: HerdEvent[] = [];
    const supervisor = new Supervisor({
      workspaceRoot: root.path,
      simulate: { latencyMs: 0 },
      // Keep claude's internal retries short so the 500 gives up quickly.
      env: { CLAUDE_CODE_MAX_RETRIES: '2' },
      onEvent: (event) => events.push(event),
    });
    const summary = await supervisor.run([
      { id: 'limited', prompt: 'Hello [sim:status 429 x2]' },
      { id: 'overloaded', prompt: 'Hello [sim:status 529 x1]' },
      { id: 'broken', prompt: 'Hello [sim:status 500]' },
      { id: 'fine', prompt: 'Hello' },
    ]);
    const byId = Object.fromEntries(summary.agents.map((agent) => [agent.id, agent]));
    expect(byId['limited']).toMatchObject({ status: 'succeeded', apiRetries: 2 });
    expect(byId['overloaded']).toMatchObject({ status: 'succeeded', apiRetries: 1 });
    expect(byId['broken']).toMatchObject({ status: 'failed', error: { reason: 'api', apiStatus: 500 } });
    expect(byId['fine']!.status).toBe('succeeded');
    expect(events).toContainEqual(expect.objectContaining({ type: 'agent.retry', agentId: 'limited', status: 429, source: 'agent' }));
    expect(events.some((event) => event.type === 'run.waiting')).toBe(true);
    expect(await findTaggedProcesses(`${summary.runId}/`, true)).toEqual([]);
  });
});
