// The real claude binary against herd's simulate server: the product's main path.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { makeTempDir, runCli } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeTempDir();
});
afterAll(async () => {
  await root.cleanup();
});

describe('herd spawn / continue with the real claude CLI on --simulate', () => {
  let first: RunSummary;

  it('spawns 5 agents that all succeed in distinct workspaces and sessions, with cost and tokens', async () => {
    const run = await runCli(['spawn', '-n', '5', 'Write a haiku about rivers', '--simulate', '--simulate-latency', '0s', '--json'], {
      env: { HERD_HOME: root.path },
    });
    expect(run.code, run.stderr).toBe(0);
    first = JSON.parse(run.stdout) as RunSummary;
    expect(first.simulated).toBe(true);
    expect(first.agents).toHaveLength(5);
    for (const agent of first.agents) {
      expect(agent.status).toBe('succeeded');
      expect(agent.result).toMatch(/^\[simulated\]/);
      expect(agent.costUsd).toBeGreaterThan(0);
      expect(agent.usage.inputTokens).toBeGreaterThan(0);
      expect(agent.usage.outputTokens).toBeGreaterThan(0);
      expect(agent.numTurns).toBe(1);
    }
    expect(new Set(first.agents.map((agent) => agent.workspace)).size).toBe(5);
    expect(new Set(first.agents.map((agent) => agent.sessionId)).size).toBe(5);
    expect(first.totals.costUsd).toBeCloseTo(
      first.agents.reduce((sum, agent) => sum + agent.costUsd, 0),
      6,
    );
    expect(first.agentVersion).toMatch(/^\d+\.\d+\.\d+/);
    const onDisk = JSON.parse(await readFile(path.join(root.path, first.runId, 'run.json'), 'utf8')) as RunSummary;
    expect(onDisk).toEqual(first);
    expect(run.stderr).toMatch(/SIMULATED/);
  });

  it('continues every session in its own workspace, and the answers show the earlier turn', async () => {
    const run = await runCli(['continue', first.runId, 'Now make it about the sea', '--json', '-q'], { env: { HERD_HOME: root.path } });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.turns).toHaveLength(2);
    for (const [index, agent] of summary.turns[1]!.agents.entries()) {
      expect(agent.status).toBe('succeeded');
      expect(agent.sessionId).toBe(first.agents[index]!.sessionId);
      expect(agent.workspace).toBe(first.agents[index]!.workspace);
      expect(agent.result).toMatch(/turn 2; earlier you asked: "Write a haiku about rivers"/);
    }
  });

  it("a tool call that writes a file lands in that agent's workspace only; --json-schema answers come back as JSON", async () => {
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 } });
    const summary = await supervisor.run([
      { id: 'writer', prompt: 'Save your notes [sim:write notes.txt]', permissionMode: 'acceptEdits' },
      {
        id: 'reader',
        prompt: 'Just answer',
        jsonSchema: { type: 'object', properties: { answer: { type: 'string' }, confidence: { type: 'number' } }, required: ['answer'] },
      },
    ]);
    expect(summary.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);
    const [writer, reader] = summary.agents;
    expect(await readFile(path.join(writer!.workspace, 'notes.txt'), 'utf8')).toBe('written by writer\n');
    expect(await readdir(reader!.workspace)).toEqual([]);
    expect(writer!.numTurns).toBe(2);
    expect((await stat(writer!.workspace)).mode & 0o777).toBe(0o700);
    expect(reader!.structuredOutput).toEqual({ answer: expect.stringMatching(/^\[simulated\]/), confidence: 1 });
    expect(writer!.structuredOutput).toBeUndefined();
  });
});
