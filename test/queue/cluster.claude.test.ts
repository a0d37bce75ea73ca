// The cluster on one machine: three `herd worker`s (separate processes and workspace
// roots, each with its own stand-in model API) take 60 command agents and 6 real claude agents
// from one queue; every agent completes and is recorded once, with the worker that ran it. Then
// two claude agents are continued: each turn goes to the worker holding its session.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { fixture, makeTempDir, runCli } from '../helpers.js';
import { hasRedis, REDIS_MISSING, startRedis, startWorker, stopWorker, type RedisServer, type WorkerProcess } from './cluster.js';

let redis: RedisServer;
let tmp: { path: string; cleanup: () => Promise<void> };
const workers: WorkerProcess[] = [];

const suite = hasRedis ? describe : describe.skip;

suite(hasRedis ? 'a cluster of three workers' : `a cluster of three workers (${REDIS_MISSING})`, () => {
  let first: RunSummary;
  const root = () => path.join(tmp.path, 'submit');

  beforeAll(async () => {
    tmp = await makeTempDir('herd-cluster-');
    redis = await startRedis();
    const args = ['--simulate', '--simulate-latency', '200ms', '--allow-command', '-c', '8'];
    workers.push(...(await Promise.all(['w1', 'w2', 'w3'].map((id) => startWorker(redis.url(), id, path.join(tmp.path, 'workers', id), args)))));
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => stopWorker(worker)));
    await redis?.cleanup();
    await tmp?.cleanup();
  });

  it('runs 60 command agents and 6 claude agents on three workers, each recorded once with its worker', async () => {
    const tasks: AgentTask[] = [
      ...Array.from({ length: 60 }, (_, index) => ({
        id: `cmd-${index + 1}`,
        prompt: `item ${index + 1}`,
        agent: 'command' as const,
        command: ['node', fixture('queue-agent.mjs')],
      })),
      ...Array.from({ length: 6 }, (_, index) => ({ id: `claude-${index + 1}`, prompt: `Write a haiku about river ${index + 1}` })),
    ];
    const tasksFile = path.join(tmp.path, 'tasks.json');
    writeFileSync(tasksFile, JSON.stringify(tasks));
    const eventsFile = path.join(tmp.path, 'events.jsonl');
    const run = await runCli([
      'spawn',
      '--tasks',
      tasksFile,
      '--simulate',
      '--queue',
      redis.url(),
      '--workspace-root',
      root(),
      '--events',
      eventsFile,
      '--json',
      '-q',
    ]);
    expect(run.code, run.stderr).toBe(0);
    first = JSON.parse(run.stdout) as RunSummary;
    expect(first.agents).toHaveLength(66);
    for (const agent of first.agents) {
      expect(agent.status, agent.id).toBe('succeeded');
      const worker = workers.find((candidate) => candidate.id === agent.worker);
      expect(worker, agent.id).toBeDefined();
      expect(agent.workspace.startsWith(`${worker!.root}/`)).toBe(true);
      if (agent.id.startsWith('cmd-')) expect(agent.result).toBe(`${agent.id} did: item ${agent.id.slice(4)}`);
      else expect(agent.result).toMatch(/^\[simulated\]/);
    }
    expect(new Set(first.agents.map((agent) => agent.worker))).toEqual(new Set(['w1', 'w2', 'w3']));
    const events = readFileSync(eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as HerdEvent);
    const ends = events.filter((event) => event.type === 'agent.end').map((event) => event.agentId);
    expect(ends.sort()).toEqual(tasks.map((task) => task.id).sort());
    // claude's session ids came back while they ran, as locally.
    expect(events.filter((event) => event.type === 'agent.session')).toHaveLength(6);
  });

  it('continues claude agents on the worker holding their sessions', async () => {
    const run = await runCli([
      'continue',
      first.runId,
      'Now make it about the sea',
      '--agent',
      'claude-1',
      '--agent',
      'claude-2',
      '--queue',
      redis.url(),
      '--workspace-root',
      root(),
      '--json',
      '-q',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    for (const agent of summary.turns[1]!.agents) {
      const before = first.agents.find((candidate) => candidate.id === agent.id)!;
      expect(agent).toMatchObject({ status: 'succeeded', worker: before.worker, workspace: before.workspace, sessionId: before.sessionId });
      expect(agent.result).toMatch(/turn 2; earlier you asked: "Write a haiku about river \d"/);
    }
  });
});
