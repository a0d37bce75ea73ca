import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { DEFAULT_PRICES } from '../../src/agents/prices.js';
import { computeTotals } from '../../src/report/totals.js';
import { DEFAULT_RETRY_POLICY } from '../../src/supervisor/retry-policy.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { createRunTurnRunner } from '../../src/supervisor/turn-runner.js';
import type { TurnEntry } from '../../src/turn.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { fakeClaude, makeTempDir, runCli } from '../helpers.js';

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
      prices: DEFAULT_PRICES,
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

describe('turn runner: the record on disk', () => {
  it('emits agent.end only once the result is in run.json', async () => {
    const seenOnDisk: Array<{ id: string; status: string | undefined }> = [];
    const supervisor = new Supervisor({
      workspaceRoot: root.path,
      claudeBin: fakeClaude,
      onEvent: (event: HerdEvent) => {
        if (event.type !== 'agent.end') return;
        // What a listener (a dashboard tailing run.json, say) finds at that moment.
        const onDisk = JSON.parse(readFileSync(path.join(root.path, event.runId, 'run.json'), 'utf8')) as RunSummary;
        seenOnDisk.push({ id: event.agentId, status: onDisk.turns.at(-1)?.agents.find((agent) => agent.id === event.agentId)?.status });
      },
    });
    await supervisor.run([
      { id: 'a', prompt: 'mode:ok' },
      { id: 'b', prompt: 'mode:crash' },
      { id: 'c', prompt: 'mode:ok' },
    ]);
    expect(seenOnDisk.sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      { id: 'a', status: 'succeeded' },
      { id: 'b', status: 'failed' },
      { id: 'c', status: 'succeeded' },
    ]);
  });

  it('an event log that cannot be written is said at once and fails the run, while the agents finish and run.json keeps their results', async () => {
    const first = await new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude }).run([
      { id: 'a', prompt: 'mode:ok' },
      { id: 'b', prompt: 'mode:ok' },
    ]);
    // Every write to events.jsonl now fails as on a full disk.
    const eventsFile = path.join(root.path, first.runId, 'events.jsonl');
    await rm(eventsFile);
    await symlink('/dev/full', eventsFile);
    const events: HerdEvent[] = [];
    const second = await new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude, onEvent: (event) => events.push(event) }).continue(
      first.runId,
      'mode:ok again',
    );
    expect(second.turns[1]!.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/^cannot write events\.jsonl: ENOSPC/);
    const warnings = events.filter((event) => event.type === 'run.warning');
    expect(warnings).toHaveLength(1);
    // Said before the agents ended, not only at the end.
    expect(events.findIndex((event) => event.type === 'run.warning')).toBeLessThan(events.findIndex((event) => event.type === 'agent.end'));
    const onDisk = JSON.parse(readFileSync(path.join(root.path, first.runId, 'run.json'), 'utf8')) as RunSummary;
    expect(onDisk).toMatchObject({ status: 'failed', error: second.error });
    expect(onDisk.turns[1]!.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);

    // The command line says so in one line and exits 1, though every agent succeeded.
    const cli = await runCli(['continue', first.runId, 'mode:ok more', '-q'], { env: { HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude } });
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/^herd: cannot write events\.jsonl: ENOSPC.*\n$/m);

    // A turn whose log works again is not failed by the earlier one.
    await rm(eventsFile);
    const third = await new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude }).continue(first.runId, 'mode:ok last');
    expect(third.status).toBe('succeeded');
    expect(third.error).toBeUndefined();
  });
});
