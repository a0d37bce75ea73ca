import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { readEvents } from '../../src/store/run-store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, fixture, makeTempDir, waitFor } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

const supervisor = (events: HerdEvent[] = [], concurrency?: number) =>
  new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude, onEvent: (event) => events.push(event), ...(concurrency ? { concurrency } : {}) });

describe('Supervisor.run with fake agents', () => {
  it('isolates failures: crash, error result, garbage and no result fail with clear reasons while the others succeed', async () => {
    const summary = await supervisor().run([
      { id: 'good-1', prompt: 'mode:ok one' },
      { id: 'crash', prompt: 'mode:crash' },
      { id: 'error', prompt: 'mode:error-result' },
      { id: 'garbage', prompt: 'mode:garbage' },
      { id: 'silent', prompt: 'mode:no-result' },
      { id: 'good-2', prompt: 'mode:ok two' },
    ]);
    const byId = Object.fromEntries(summary.agents.map((agent) => [agent.id, agent]));
    expect(byId['good-1']).toMatchObject({ status: 'succeeded', result: 'fake answer to: mode:ok one', costUsd: 0.001 });
    expect(byId['good-2']?.status).toBe('succeeded');
    expect(byId['crash']).toMatchObject({ status: 'failed', exitCode: 3, error: { reason: 'exit' } });
    expect(byId['crash']?.error?.message).toContain('segmentation fault (simulated crash)');
    expect(byId['crash']?.sessionId).toMatch(/^fake-/);
    expect(byId['error']).toMatchObject({ status: 'failed', error: { reason: 'api', apiStatus: 500 } });
    expect(byId['garbage']).toMatchObject({ status: 'failed', error: { reason: 'protocol' } });
    expect(byId['garbage']?.error?.message).toMatch(/without a result line \(\d+ unparseable lines\)/);
    expect(byId['silent']).toMatchObject({ status: 'failed', error: { reason: 'protocol' } });
    expect(summary.status).toBe('failed');
    expect(summary.totals).toMatchObject({ succeeded: 2, failed: 4 });
  });

  it('gives each agent its own private workspace and writes run.json and events.jsonl', async () => {
    const events: HerdEvent[] = [];
    const summary = await supervisor(events).run([
      { id: 'a', prompt: 'mode:ok', files: { 'notes/input.txt': 'seeded' } },
      { id: 'b', prompt: 'mode:ok' },
    ]);
    const [a, b] = summary.agents;
    expect(a!.workspace).toBe(path.join(root.path, summary.runId, 'a'));
    expect(b!.workspace).toBe(path.join(root.path, summary.runId, 'b'));
    expect((await stat(a!.workspace)).mode & 0o777).toBe(0o700);
    expect(await readFile(path.join(a!.workspace, 'notes/input.txt'), 'utf8')).toBe('seeded');
    const onDisk = JSON.parse(await readFile(path.join(root.path, summary.runId, 'run.json'), 'utf8')) as RunSummary;
    expect(onDisk.agents).toEqual(summary.agents);
    expect(onDisk.totals).toEqual(summary.totals);
    expect(onDisk.status).toBe('succeeded');
    expect((await stat(path.join(root.path, summary.runId, 'run.json'))).mode & 0o777).toBe(0o600);
    const { events: logged } = await readEvents(path.join(root.path, summary.runId));
    expect(logged.map((event) => event.type)).toEqual(expect.arrayContaining(['run.start', 'agent.start', 'agent.session', 'agent.end', 'run.end']));
    expect(events.filter((event) => event.type === 'agent.end')).toHaveLength(2);
  });

  it('never runs more agents at once than the concurrency cap', async () => {
    const events: HerdEvent[] = [];
    let running = 0;
    let peak = 0;
    const cap = new Supervisor({
      workspaceRoot: root.path,
      claudeBin: fakeClaude,
      concurrency: 2,
      onEvent: (event) => {
        if (event.type === 'agent.start') peak = Math.max(peak, ++running);
        if (event.type === 'agent.end') running -= 1;
        events.push(event);
      },
    });
    const summary = await cap.run(Array.from({ length: 6 }, (_, index) => ({ id: `agent-${index + 1}`, prompt: 'mode:ok' })));
    expect(summary.totals.succeeded).toBe(6);
    expect(peak).toBe(2);
    expect(summary.totals.concurrency).toBe(2);
  });

  it('with startSlots, starts the next agent only when a starting one has printed its first line', async () => {
    const events: HerdEvent[] = [];
    const gated = new Supervisor({ workspaceRoot: root.path, claudeBin: fakeClaude, concurrency: 3, startSlots: 1, onEvent: (event) => events.push(event) });
    const summary = await gated.run(['a', 'b', 'c'].map((id) => ({ id, prompt: 'mode:ok' })));
    expect(summary.totals.succeeded).toBe(3);
    const handshakes = events
      .filter((event) => event.type === 'agent.start' || event.type === 'agent.session')
      .map((event) => `${event.type === 'agent.start' ? 'start' : 'up'} ${'agentId' in event ? event.agentId : ''}`);
    expect(handshakes).toEqual(['start a', 'up a', 'start b', 'up b', 'start c', 'up c']);
  });

  it('gates gemini starts too (1.5 CPU-s each), with an estimated cost for its tokens', async () => {
    const events: HerdEvent[] = [];
    const gated = new Supervisor({
      workspaceRoot: root.path,
      geminiBin: fixture('fake-gemini.mjs'),
      concurrency: 3,
      startSlots: 1,
      onEvent: (event) => events.push(event),
    });
    const summary = await gated.run(['a', 'b', 'c'].map((id) => ({ id, agent: 'gemini' as const, prompt: 'hi' })));
    expect(summary.totals.succeeded).toBe(3);
    const handshakes = events
      .filter((event) => event.type === 'agent.start' || event.type === 'agent.session')
      .map((event) => `${event.type === 'agent.start' ? 'start' : 'up'} ${'agentId' in event ? event.agentId : ''}`);
    // Each start is followed by its own agent coming up before the next start (order among them is free).
    expect(handshakes).toHaveLength(6);
    for (let index = 0; index < 6; index += 2) expect(handshakes[index + 1]).toBe(handshakes[index]!.replace('start', 'up'));
    // 100 input and 10 output tokens of gemini-2.5-flash at 0.30 and 2.50 USD per million.
    expect(summary.agents[0]).toMatchObject({ costEstimated: true, costUsd: 0.000055 });
  });

  it('a cancel while agents wait for a start slot leaves them not started', async () => {
    const controller = new AbortController();
    let firstWorkspace = '';
    const gated = new Supervisor({
      workspaceRoot: root.path,
      claudeBin: fakeClaude,
      concurrency: 3,
      startSlots: 1,
      killGraceMs: 1000,
      onEvent: (event) => {
        if (event.type === 'agent.start' && !firstWorkspace) firstWorkspace = event.workspace;
      },
    });
    const running = gated.run(
      ['a', 'b', 'c'].map((id) => ({ id, prompt: 'mode:silent' })),
      { signal: controller.signal },
    );
    await waitFor(() => firstWorkspace !== '' && existsSync(path.join(firstWorkspace, 'started.pid')), 10_000, 'the first agent to start');
    controller.abort();
    const summary = await running;
    expect(summary.agents.map((agent) => [agent.id, agent.status, agent.attempts])).toEqual([
      ['a', 'cancelled', 1],
      ['b', 'cancelled', 0],
      ['c', 'cancelled', 0],
    ]);
    expect(summary.agents[1]!.error?.message).toBe('not started: the run was cancelled');
  });

  it('refuses a startSlots that is not a whole number of 0 or more', () => {
    expect(() => new Supervisor({ workspaceRoot: root.path, startSlots: -1 })).toThrow(/startSlots: expected a whole number of 0 or more/);
    expect(() => new Supervisor({ workspaceRoot: root.path, startSlots: 1.5 })).toThrow(/startSlots/);
  });

  it('continues every agent in its own workspace with its session, as a new turn', async () => {
    const sup = supervisor();
    const first = await sup.run([
      { id: 'a', prompt: 'mode:ok first' },
      { id: 'b', prompt: 'mode:crash' },
    ]);
    const second = await sup.continue(first.runId, 'mode:ok follow-up');
    expect(second.turns).toHaveLength(2);
    const [a, b] = second.turns[1]!.agents;
    expect(a).toMatchObject({ id: 'a', status: 'succeeded', workspace: first.agents[0]!.workspace, sessionId: first.agents[0]!.sessionId });
    expect(a!.result).toContain(`(resumed ${first.agents[0]!.sessionId})`);
    // b crashed after its init line, so it has a session and is resumed too.
    expect(b).toMatchObject({ id: 'b', status: 'succeeded' });
    expect(second.turns[0]!.agents.map((agent) => agent.status)).toEqual(['succeeded', 'failed']);
  });

  it('lets only one herd work on a run at a time, and takes over the lock of a dead one', async () => {
    const sup = supervisor();
    const first = await sup.run([{ id: 'a', prompt: 'mode:ok' }]);
    const lock = path.join(root.path, first.runId, 'run.lock');
    const { writeFile, stat: statFile } = await import('node:fs/promises');
    await writeFile(lock, String(process.pid));
    await expect(sup.continue(first.runId, 'mode:ok again')).rejects.toThrow(/is in use by herd process \d+ \(this one\)/);
    // A pid that cannot be alive: the owner was killed, so the lock is stale.
    await writeFile(lock, '2147483646');
    const second = await sup.continue(first.runId, 'mode:ok again');
    expect(second.turns).toHaveLength(2);
    await expect(statFile(lock)).rejects.toThrow(/ENOENT/);
  });

  it('continues only the chosen agents, and refuses an unknown one', async () => {
    const sup = supervisor();
    const first = await sup.run([
      { id: 'a', prompt: 'mode:ok' },
      { id: 'b', prompt: 'mode:ok' },
    ]);
    const second = await sup.continue(first.runId, 'mode:ok again', { agents: ['b'] });
    expect(second.turns[1]!.agents.map((agent) => agent.id)).toEqual(['b']);
    await expect(sup.continue(first.runId, 'x', { agents: ['nope'] })).rejects.toThrow(/has no agent "nope"/);
  });

  it('refuses a follow-up with a NUL byte a command agent cannot take, before the turn starts (claude takes it on stdin)', async () => {
    const sup = supervisor();
    const first = await sup.run([
      { id: 'cmd', prompt: 'x', agent: 'command', command: ['echo'] },
      { id: 'claude', prompt: 'mode:ok' },
    ]);
    await expect(sup.continue(first.runId, 'a\0b', { agents: ['cmd'] })).rejects.toThrow(/agent "cmd": the prompt holds a NUL byte/);
    const kept = JSON.parse(await readFile(path.join(root.path, first.runId, 'run.json'), 'utf8')) as RunSummary;
    expect(kept.turns).toHaveLength(1);
    expect(kept.status).toBe('succeeded');
    const second = await sup.continue(first.runId, 'mode:echo-args a\0b', { agents: ['claude'] });
    expect(JSON.parse(second.agents.find((agent) => agent.id === 'claude')!.result!).prompt).toBe('mode:echo-args a\0b');
  });

  it('refuses to reuse an existing run id (the earlier record is kept)', async () => {
    const first = await supervisor().run([{ id: 'a', prompt: 'mode:ok' }], { runId: 'nightly' });
    await expect(supervisor().run([{ id: 'b', prompt: 'mode:ok' }], { runId: 'nightly' })).rejects.toThrow(/run id "nightly" is already used/);
    const kept = JSON.parse(await readFile(path.join(root.path, 'nightly', 'run.json'), 'utf8')) as RunSummary;
    expect(kept.agents).toEqual(first.agents);
  });

  it('rejects bad tasks before creating anything', async () => {
    await expect(supervisor().run([{ id: '../escape', prompt: 'x' }])).rejects.toThrow(/agent id/);
    await expect(
      supervisor().run([
        { id: 'a', prompt: 'x' },
        { id: 'a', prompt: 'y' },
      ]),
    ).rejects.toThrow(/used twice/);
    await expect(supervisor().run([])).rejects.toThrow(/no tasks/);
    await expect(supervisor().run([{ id: 'a', prompt: 'x', promptStdin: true }])).rejects.toThrow(/agent "a": promptStdin applies to agent "command" only/);
    await expect(supervisor().run([{ id: 'a', prompt: 'x', timeoutMs: 0 }])).rejects.toThrow(
      /agent "a": timeoutMs must be a number of milliseconds above 0, got 0/,
    );
    // Ids that would take the place of the run's own files, and seed files that conflict or escape.
    await expect(supervisor().run([{ id: 'run.json', prompt: 'x' }])).rejects.toThrow(/agent id "run.json" is not allowed/);
    await expect(supervisor().run([{ id: 'a', prompt: 'x', files: { d: 'x', 'd/e': 'y' } }])).rejects.toThrow(/files: "d\/e": conflicts with "d"/);
    await expect(supervisor().run([{ id: 'a', prompt: 'x', files: { '../../escape': 'y' } }])).rejects.toThrow(/stay inside the workspace/);
    await expect(supervisor().runWorkflow({ tasks: [{ id: 'a', prompt: 'x' }], shared: { files: { '../out': 'y' } } })).rejects.toThrow(
      /shared: files: "..\/out": the path must be relative/,
    );
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(root.path)).toEqual([]);
  });
});
