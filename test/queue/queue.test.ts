// herd across machines, played on one: a real redis-server, real `herd worker` processes with
// their own workspace roots, real submitting `herd` processes, and command agents from
// test/fixtures/queue-agent.mjs. Handshakes are files the agents write when they start.
// What a queue is for is tested by breaking things: a worker SIGKILLed mid-job, Redis restarted
// mid-run, the submitter interrupted or SIGKILLed; each run must end with every agent recorded
// once and nothing left running.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { readEvents } from '../../src/store/run-store.js';
import type { RunSummary } from '../../src/types.js';
import { fixture, isAlive, makeTempDir, runCli, waitFor } from '../helpers.js';
import { hasRedis, REDIS_MISSING, startRedis, startWorker, stopWorker, type RedisServer, type WorkerProcess } from './cluster.js';

const agent = fixture('queue-agent.mjs');
/** Short locks: a dead worker's job restarts within ~3 s here (the default 5 s / 2 s gives ~7 s). */
const FAST_RECOVERY = ['--lock-duration', '2s', '--stalled-interval', '1s'];

let redis: RedisServer;
let tmp: { path: string; cleanup: () => Promise<void> };
const workers: WorkerProcess[] = [];

interface Started {
  file: string;
  pid: number;
  childPid: number;
  cwd: string;
}

function startedIn(dir: string): Started[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.started'))
    .map((name) => ({ file: name, ...(JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Omit<Started, 'file'>) }));
}

async function agentEnds(root: string, runId: string): Promise<Map<string, number>> {
  const { events } = await readEvents(path.join(root, runId));
  const ends = new Map<string, number>();
  for (const event of events) if (event.type === 'agent.end') ends.set(event.agentId, (ends.get(event.agentId) ?? 0) + 1);
  return ends;
}

async function newDir(name: string): Promise<string> {
  const dir = path.join(tmp.path, name);
  await mkdir(dir, { recursive: true });
  return dir;
}

async function worker(url: string, id: string, args: string[]): Promise<WorkerProcess> {
  const started = await startWorker(url, id, path.join(tmp.path, 'workers', id), args);
  workers.push(started);
  return started;
}

/** `herd spawn <prompt> -n <count>` of the fixture agent through the queue. */
function spawnAgents(url: string, root: string, prompt: string, count: number, extra: string[] = [], options: Parameters<typeof runCli>[1] = {}) {
  return runCli(['spawn', prompt, '-n', String(count), '--command', 'node', agent, '--workspace-root', root, '--queue', url, ...extra], options);
}

const suite = hasRedis ? describe : describe.skip;

// Each test starts several real herd processes (each loads bullmq): generous bounds for a loaded machine.
suite(hasRedis ? 'herd on a queue' : `herd on a queue (${REDIS_MISSING})`, { timeout: 120_000 }, () => {
  beforeAll(async () => {
    tmp = await makeTempDir('herd-queue-');
    redis = await startRedis();
  });
  afterAll(async () => {
    await Promise.all(workers.map((started) => stopWorker(started)));
    await redis?.cleanup();
    await tmp?.cleanup();
  });

  it('runs agents on several workers, records each once with its worker, and survives a Redis restart mid-run', async () => {
    const url = redis.url(1);
    const [w1, w2] = [
      await worker(url, 'r1', ['--allow-command', '-c', '3', ...FAST_RECOVERY]),
      await worker(url, 'r2', ['--allow-command', '-c', '3', ...FAST_RECOVERY]),
    ];
    const hold = await newDir('restart-hold');
    const root = await newDir('restart-submit');
    const eventsFile = path.join(tmp.path, 'restart-events.jsonl');
    const submitted = spawnAgents(url, root, `[hold ${hold}]`, 6, ['--events', eventsFile, '--json', '-q']);
    // Every agent runs (3 per worker), then Redis goes away and comes back with its AOF.
    await waitFor(() => startedIn(hold).length >= 6, 30_000, 'six agents to start');
    await redis.restart();
    writeFileSync(path.join(hold, 'release'), '');
    const run = await submitted;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((result) => result.status)).toEqual(Array(6).fill('succeeded'));
    // Each agent ran where its workspace is, and says so.
    for (const result of summary.agents) {
      const owner = [w1, w2].find((started) => started.id === result.worker);
      expect(owner, result.id).toBeDefined();
      expect(result.workspace.startsWith(owner!.root)).toBe(true);
    }
    expect(new Set(summary.agents.map((result) => result.worker))).toEqual(new Set(['r1', 'r2']));
    // Recorded once each, on disk and in --events; agent.start names the worker.
    expect([...(await agentEnds(root, summary.runId)).values()]).toEqual(Array(6).fill(1));
    const events = readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as HerdEvent);
    expect(events.filter((event) => event.type === 'agent.end')).toHaveLength(6);
    expect(events.filter((event) => event.type === 'agent.start').every((event) => event.type === 'agent.start' && event.worker !== undefined)).toBe(true);
    for (const started of startedIn(hold)) expect(isAlive(started.pid) || isAlive(started.childPid)).toBe(false);
  });

  it('restarts the job of a SIGKILLed worker on another worker; its agent processes end with it; no result twice', async () => {
    const url = redis.url(2);
    const victim = await worker(url, 'k1', ['--allow-command', '-c', '2', ...FAST_RECOVERY]);
    const hold = await newDir('kill-hold');
    const root = await newDir('kill-submit');
    const submitted = spawnAgents(url, root, `[hold ${hold}]`, 4, ['--json', '-q']);
    // Two run on the first worker; the second worker takes the other two, and has room for more.
    await waitFor(() => startedIn(hold).length >= 2, 30_000, 'two agents to start');
    const survivor = await worker(url, 'k2', ['--allow-command', '-c', '4', ...FAST_RECOVERY]);
    await waitFor(() => startedIn(hold).length >= 4, 30_000, 'four agents to start');
    const onVictim = startedIn(hold).filter((started) => started.cwd.startsWith(victim.root));
    expect(onVictim.length).toBeGreaterThan(0);
    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    // The agent itself dies with its worker (parent-death signal), at once.
    await waitFor(() => onVictim.every((started) => !isAlive(started.pid)), 5_000, "the killed worker's agents to die");
    // Its jobs start again on the other worker.
    await waitFor(() => startedIn(hold).filter((started) => started.cwd.startsWith(survivor.root)).length >= 4, 30_000, 'the jobs to restart');
    const recoveryMs = performance.now() - killedAt;
    console.log(`queue: a SIGKILLed worker's ${onVictim.length} job(s) restarted elsewhere after ${(recoveryMs / 1000).toFixed(1)} s`);
    // What the agent had started itself (a detached tool process) was swept when its job ran again on this machine.
    await waitFor(() => onVictim.every((started) => !isAlive(started.childPid)), 5_000, "the killed agents' children to be swept");
    writeFileSync(path.join(hold, 'release'), '');
    const run = await submitted;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((result) => [result.status, result.worker])).toEqual(Array(4).fill(['succeeded', 'k2']));
    expect([...(await agentEnds(root, summary.runId)).values()]).toEqual(Array(4).fill(1));
    expect(survivor.stderr).toMatch(/started again \(its worker died\)/);
    for (const started of startedIn(hold)) expect(isAlive(started.pid) || isAlive(started.childPid), started.file).toBe(false);
  });

  it('Ctrl-C on the submitter removes queued jobs, stops running agents on their workers, and the run resumes', async () => {
    const url = redis.url(3);
    await worker(url, 'c1', ['--allow-command', '-c', '2', ...FAST_RECOVERY]);
    const hold = await newDir('cancel-hold');
    const root = await newDir('cancel-submit');
    const run = await spawnAgents(url, root, `[hold ${hold}]`, 5, ['--json', '-q', '--kill-grace', '1s'], {
      onSpawn: (child) => void waitFor(() => startedIn(hold).length >= 2, 30_000, 'two agents to start').then(() => child.kill('SIGINT')),
    });
    expect(run.code, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/node dist\/cli\/main\.js resume \S+ --queue <url>/);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.status).toBe('cancelled');
    expect(summary.agents.map((result) => result.status)).toEqual(Array(5).fill('cancelled'));
    // Two were running (stopped by their worker), three were waiting (removed: never started).
    expect(summary.agents.filter((result) => result.attempts === 0)).toHaveLength(3);
    for (const started of startedIn(hold)) expect(isAlive(started.pid) || isAlive(started.childPid), started.file).toBe(false);
    // Nothing of it is left in the queue for a worker to start later.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(startedIn(hold)).toHaveLength(2);

    writeFileSync(path.join(hold, 'release'), '');
    const resumed = await runCli(['resume', summary.runId, '--workspace-root', root, '--queue', url, '--json', '-q']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect((JSON.parse(resumed.stdout) as RunSummary).agents.map((result) => result.status)).toEqual(Array(5).fill('succeeded'));
  });

  it('herd resume after a SIGKILLed submitter: collects what finished meanwhile, waits for what runs, enqueues the rest, runs nothing twice', async () => {
    const url = redis.url(4);
    const only = await worker(url, 's1', ['--allow-command', '-c', '3', ...FAST_RECOVERY]);
    const hold = await newDir('dead-submitter-hold');
    const root = await newDir('dead-submitter-submit');
    // -c 2: agent-3 is never enqueued before the submitter dies.
    const killed = await spawnAgents(url, root, `[hold ${hold}]`, 3, ['-q', '-c', '2'], {
      onSpawn: (child) => void waitFor(() => startedIn(hold).length >= 2, 30_000, 'two agents to start').then(() => child.kill('SIGKILL')),
    });
    expect(killed.signal).toBe('SIGKILL');
    const runId = readdirSync(root).find((name) => existsSync(path.join(root, name, 'run.json')))!;
    // agent-1 finishes while no herd follows the run; agent-2 still runs when resume starts.
    writeFileSync(path.join(hold, 'release-agent-1'), '');
    await only.waitForLog(/agent-1\/1\/1: succeeded/, 'agent-1 to finish');
    const resumed = runCli(['resume', runId, '--workspace-root', root, '--queue', url, '--json', '-q']);
    await waitFor(() => startedIn(hold).length >= 3, 30_000, 'agent-3 to be enqueued and start');
    writeFileSync(path.join(hold, 'release'), '');
    const run = await resumed;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((result) => [result.id, result.status, result.worker])).toEqual([
      ['agent-1', 'succeeded', 's1'],
      ['agent-2', 'succeeded', 's1'],
      ['agent-3', 'succeeded', 's1'],
    ]);
    expect(startedIn(hold)).toHaveLength(3);
    expect([...(await agentEnds(root, runId)).values()]).toEqual(Array(3).fill(1));
  });

  it('continues each agent on the worker holding its workspace, and fails clearly when that worker is gone', async () => {
    const url = redis.url(5);
    const w1 = await worker(url, 'n1', ['--allow-command', '-c', '2', ...FAST_RECOVERY]);
    const w2 = await worker(url, 'n2', ['--allow-command', '-c', '2', ...FAST_RECOVERY]);
    const root = await newDir('continue-submit');
    const hold = await newDir('continue-hold');
    // Held until all four run, so each worker has two of them.
    const first = spawnAgents(url, root, `[count] [hold ${hold}]`, 4, ['--json', '-q']);
    await waitFor(() => startedIn(hold).length >= 4, 30_000, 'four agents to start');
    writeFileSync(path.join(hold, 'release'), '');
    const turn1 = JSON.parse((await first).stdout) as RunSummary;
    expect(new Set(turn1.agents.map((result) => result.worker))).toEqual(new Set(['n1', 'n2']));

    const second = await runCli(['continue', turn1.runId, '[count]', '--workspace-root', root, '--queue', url, '--json', '-q']);
    expect(second.code, second.stderr).toBe(0);
    const turn2 = JSON.parse(second.stdout) as RunSummary;
    for (const result of turn2.turns[1]!.agents) {
      const before = turn1.agents.find((agent) => agent.id === result.id)!;
      expect(result.worker).toBe(before.worker);
      expect(result.result).toBe(`${result.id} holds 2 turns in ${before.workspace}`);
    }

    // A secret set for the task must reach the agents, and no log or record.
    const third = await runCli([
      'continue',
      turn1.runId,
      '[env MY_API_TOKEN]',
      '--workspace-root',
      root,
      '--queue',
      url,
      '--json',
      '-q',
      '--env',
      'MY_API_TOKEN=supersecret-value-123',
    ]);
    expect(third.code, third.stderr).toBe(0);
    const turn3 = JSON.parse(third.stdout) as RunSummary;
    // The task's env travelled with the job (21 characters) and appears in no log or record.
    expect(turn3.turns[2]!.agents.map((result) => result.result)).toEqual(Array(4).fill('MY_API_TOKEN has 21 characters'));
    for (const text of [
      w1.stderr,
      w2.stderr,
      readFileSync(path.join(root, turn1.runId, 'run.json'), 'utf8'),
      readFileSync(path.join(root, turn1.runId, 'events.jsonl'), 'utf8'),
    ])
      expect(text).not.toContain('supersecret-value-123');

    await stopWorker(w1);
    expect(w1.stderr).toMatch(/stopped: \d+ jobs? finished here, 0 handed back/);
    const fourth = await runCli(['continue', turn1.runId, '[count]', '--workspace-root', root, '--queue', url, '--json', '-q']);
    expect(fourth.code).toBe(1);
    for (const result of (JSON.parse(fourth.stdout) as RunSummary).turns[3]!.agents) {
      if (turn1.agents.find((agent) => agent.id === result.id)!.worker === 'n2') {
        expect(result).toMatchObject({ status: 'succeeded', worker: 'n2' });
        continue;
      }
      expect(result).toMatchObject({ status: 'failed', error: { reason: 'worker-gone' } });
      expect(result.error!.message).toMatch(/worker n1 holds this agent's workspace and session, and it is not running/);
    }
  });

  it('a continuation queued for a worker that was SIGKILLed fails with worker-gone once its presence lapses', async () => {
    const url = redis.url(10);
    const doomed = await worker(url, 'd1', ['--allow-command', ...FAST_RECOVERY]);
    const root = await newDir('gone-submit');
    const first = await spawnAgents(url, root, '[count]', 1, ['--json', '-q']);
    expect(first.code, first.stderr).toBe(0);
    const { runId } = JSON.parse(first.stdout) as RunSummary;
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    // Its presence outlives it for a few seconds: the turn is queued for it, then given up.
    const next = await runCli(['continue', runId, '[count]', '--workspace-root', root, '--queue', url, '--json', '-q']);
    expect(next.code).toBe(1);
    const [result] = (JSON.parse(next.stdout) as RunSummary).turns[1]!.agents;
    expect(result).toMatchObject({ status: 'failed', error: { reason: 'worker-gone' } });
    expect(result!.error!.message).toMatch(/worker d1 holds this agent's workspace and session, and it is not running/);
  });

  it('runs a workflow through the queue: a task is enqueued when its dependencies end; dependents of a failure are skipped', async () => {
    const url = redis.url(8);
    await worker(url, 'f1', ['--allow-command', '-c', '4']);
    const root = await newDir('flow-submit');
    const flow = path.join(tmp.path, 'flow.yaml');
    writeFileSync(
      flow,
      `name: queued-pipeline
defaults: { agent: command, command: [node, ${fixture('workflow-agent.mjs')}] }
tasks:
  - { id: research, prompt: "[say facts about owls]" }
  - { id: write, prompt: "[say article from {{deps.research.result}}]", dependsOn: [research] }
  - { id: broken, prompt: "[fail]" }
  - { id: after, prompt: "never runs", dependsOn: [broken] }
`,
    );
    const run = await runCli(['run', flow, '--queue', url, '--workspace-root', root, '--json', '-q']);
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout) as RunSummary;
    const byId = new Map(summary.agents.map((result) => [result.id, result]));
    expect(byId.get('research')).toMatchObject({ status: 'succeeded', result: 'facts about owls', worker: 'f1' });
    expect(byId.get('write')).toMatchObject({ status: 'succeeded', result: 'article from facts about owls', worker: 'f1' });
    expect(byId.get('broken')).toMatchObject({ status: 'failed', error: { reason: 'exit' } });
    expect(byId.get('after')).toMatchObject({ status: 'skipped', error: { reason: 'dependency' } });
    const { events } = await readEvents(path.join(root, summary.runId));
    const at = (type: HerdEvent['type'], agentId: string) => events.find((event) => event.type === type && 'agentId' in event && event.agentId === agentId)!.ts;
    expect(at('agent.start', 'write')).toBeGreaterThanOrEqual(at('agent.end', 'research'));
  });

  it('a stopping worker finishes its jobs on the first SIGTERM and hands them back on the second; another worker finishes them', async () => {
    const url = redis.url(9);
    const leaving = await worker(url, 'h1', ['--allow-command', '-c', '2', ...FAST_RECOVERY]);
    const hold = await newDir('handback-hold');
    const root = await newDir('handback-submit');
    const submitted = spawnAgents(url, root, `[hold ${hold}]`, 2, ['--json', '-q']);
    await waitFor(() => startedIn(hold).length >= 2, 30_000, 'two agents to start');
    leaving.child.kill('SIGTERM');
    await leaving.waitForLog(/taking no new jobs, finishing the 2 running/, 'the finishing notice');
    leaving.child.kill('SIGTERM');
    expect(await leaving.exited).toBe(0);
    expect(leaving.stderr).toMatch(/stopping the 2 running agents and handing their jobs back to the queue/);
    expect(leaving.stderr).toMatch(/stopped: 0 jobs finished here, 2 handed back to the queue/);
    for (const started of startedIn(hold)) expect(isAlive(started.pid), started.file).toBe(false);
    const taker = await worker(url, 'h2', ['--allow-command', '-c', '2', ...FAST_RECOVERY]);
    await waitFor(() => startedIn(hold).filter((started) => started.cwd.startsWith(taker.root)).length >= 2, 30_000, 'the jobs to start again');
    writeFileSync(path.join(hold, 'release'), '');
    const run = await submitted;
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((result) => [result.status, result.worker])).toEqual(Array(2).fill(['succeeded', 'h2']));
    expect([...(await agentEnds(root, summary.runId)).values()]).toEqual(Array(2).fill(1));
  });

  it('a worker runs no command agent unless allowed: the job fails with the reason', async () => {
    const url = redis.url(6);
    await worker(url, 'strict', []);
    const root = await newDir('refuse-submit');
    const run = await spawnAgents(url, root, 'hello', 1, ['--json', '-q']);
    expect(run.code).toBe(1);
    const [result] = (JSON.parse(run.stdout) as RunSummary).agents;
    expect(result).toMatchObject({ status: 'failed', worker: 'strict', error: { reason: 'refused' } });
    expect(result!.error!.message).toMatch(/does not run command agents \(start it with --allow-command/);
  });

  it('an unreachable queue is one line and starts nothing; the password is never printed', async () => {
    const root = await newDir('unreachable');
    const run = await spawnAgents(`redis://:hunter2-secret@127.0.0.1:${redis.port + 1}/0`, root, 'hello', 1);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toMatch(/^herd: cannot reach the queue at redis:\/\/127\.0\.0\.1:\d+\/0: .+$/);
    expect(run.stderr).not.toContain('hunter2');
    expect(readdirSync(root)).toEqual([]);
  });
});
