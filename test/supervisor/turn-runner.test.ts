import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeTotals } from '../../src/report/totals.js';
import { DEFAULT_RETRY_POLICY } from '../../src/supervisor/retry-policy.js';
import { createRunTurnRunner } from '../../src/supervisor/turn-runner.js';
import type { TurnEntry } from '../../src/turn.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { makeTempDir } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

function newSummary(runId: string, tasks: AgentTask[]): RunSummary {
  const now = new Date().toISOString();
  return {
    runId,
    status: 'running',
    startedAt: now,
    endedAt: now,
    simulated: false,
    agents: [],
    totals: computeTotals([], 0, 1),
    turns: [],
    tasks,
    workspaceRoot: root.path,
  };
}

describe('turn runner: failure is a value', () => {
  it('a throw inside one agent turns into its failed result while the other agent runs on to the end', async () => {
    const runHome = path.join(root.path, 'run-1');
    const gate = path.join(root.path, 'gate');
    // The slow agent ends only after the other agent's check has thrown (it writes the gate first).
    const waitForGate = `const fs=require('fs');const t=setInterval(()=>{if(fs.existsSync(${JSON.stringify(gate)})){clearInterval(t);console.log('saw the gate')}},20)`;
    const slow: AgentTask = { id: 'slow', prompt: 'p', agent: 'command', command: [process.execPath, '-e', waitForGate], promptArg: false };
    const fast: AgentTask = { id: 'fast', prompt: 'p', agent: 'command', command: [process.execPath, '-e', 'console.log("done")'], promptArg: false };
    const entries: TurnEntry[] = [];
    for (const task of [slow, fast]) {
      const workspace = path.join(runHome, task.id);
      await mkdir(workspace, { recursive: true });
      entries.push({ task, workspace });
    }
    entries[1]!.check = () => {
      void writeFile(gate, 'go');
      throw new Error('a bug in a result check');
    };
    const summary = newSummary('run-1', [slow, fast]);
    const runner = createRunTurnRunner({
      summary,
      runHome,
      claudeBin: undefined,
      listeners: new Set(),
      simulate: undefined,
      inheritedEnv: process.env,
      env: {},
      envAllow: undefined,
      killGraceMs: 500,
      concurrency: 2,
      signal: undefined,
      retry: { ...DEFAULT_RETRY_POLICY, retries: 0 },
    });

    const result = await runner.run(entries);

    const byId = Object.fromEntries(result.agents.map((agent) => [agent.id, agent]));
    expect(byId['fast']).toMatchObject({ status: 'failed', error: { reason: 'internal' } });
    expect(byId['fast']?.error?.message).toContain('a bug in a result check');
    expect(byId['slow']).toMatchObject({ status: 'succeeded', result: 'saw the gate' });
    expect(existsSync(gate)).toBe(true);
    const onDisk = JSON.parse(await readFile(path.join(runHome, 'run.json'), 'utf8')) as RunSummary;
    expect(onDisk.status).toBe('failed');
    expect(onDisk.agents.map((agent) => agent.status).sort()).toEqual(['failed', 'succeeded']);
  });
});
