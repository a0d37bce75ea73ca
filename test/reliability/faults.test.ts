// Fault injection with real processes: timeouts, hangs, SIGTERM-ignoring agents and
// grandchildren, detached escapees, floods, huge lines, split lines, retries, secrets.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { findTaggedProcesses } from '../../src/process/kill-tree.js';
import { readEvents } from '../../src/store/run-store.js';
import { Supervisor, type SupervisorOptions } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, isAlive, makeTempDir, readPid, waitFor } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
let lastRun: RunSummary | undefined;
beforeEach(async () => {
  root = await makeTempDir();
  lastRun = undefined;
});
afterEach(async () => {
  // Nothing a test started may outlive it.
  if (lastRun) expect(await findTaggedProcesses(`${lastRun.runId}/`, true)).toEqual([]);
  await root.cleanup();
});

async function run(tasks: Parameters<Supervisor['run']>[0], options: Partial<SupervisorOptions> = {}, events: HerdEvent[] = []): Promise<RunSummary> {
  const supervisor = new Supervisor({
    workspaceRoot: root.path,
    claudeBin: fakeClaude,
    killGraceMs: 1_000,
    onEvent: (event) => events.push(event),
    ...options,
  });
  lastRun = await supervisor.run(tasks);
  return lastRun;
}

/** Run one agent and abort once it wrote `handshakeFile` into its workspace (it is then surely running). */
async function runAndAbortAfter(task: Parameters<Supervisor['run']>[0][number], handshakeFile: string, killGraceMs: number): Promise<RunSummary> {
  const controller = new AbortController();
  const supervisor = new Supervisor({
    workspaceRoot: root.path,
    claudeBin: fakeClaude,
    killGraceMs,
    onEvent: (event) => {
      if (event.type !== 'agent.start') return;
      void waitFor(() => existsSync(path.join(event.workspace, handshakeFile)), 20_000, handshakeFile).then(() => controller.abort());
    },
  });
  lastRun = await supervisor.run([task], { signal: controller.signal });
  return lastRun;
}

describe('timeouts', () => {
  it('stops a hung agent at its deadline, keeps its session id, and the others succeed', async () => {
    const summary = await run([
      { id: 'hung', prompt: 'mode:hang', timeoutMs: 2_000 },
      { id: 'fine', prompt: 'mode:ok' },
    ]);
    const [hung, fine] = summary.agents;
    expect(hung).toMatchObject({ status: 'timeout', error: { reason: 'timeout' }, signal: 'SIGTERM' });
    expect(hung!.sessionId).toMatch(/^fake-/);
    // Reported within 1 s of deadline + grace.
    expect(hung!.durationMs).toBeGreaterThanOrEqual(2_000);
    expect(hung!.durationMs).toBeLessThan(2_000 + 1_000 + 1_000);
    expect(fine!.status).toBe('succeeded');
  });

  it('SIGKILLs an agent that ignores SIGTERM after the grace period', async () => {
    const summary = await runAndAbortAfter({ id: 'stubborn', prompt: 'mode:ignore-term' }, 'started.pid', 500);
    expect(summary.agents[0]).toMatchObject({ status: 'cancelled', signal: 'SIGKILL' });
  });

  it('stops an agent that prints nothing for longer than the idle timeout', async () => {
    const summary = await run([{ id: 'quiet', prompt: 'mode:hang', idleTimeoutMs: 1_000 }]);
    expect(summary.agents[0]).toMatchObject({ status: 'timeout', error: { reason: 'idle' } });
  });
});

describe('no orphans', () => {
  it('kills a grandchild in the group that ignores SIGTERM', async () => {
    const summary = await runAndAbortAfter({ id: 'parent', prompt: 'mode:grandchild' }, 'started.pid', 300);
    const grandchild = await readPid(path.join(summary.agents[0]!.workspace, 'grandchild.pid'));
    expect(summary.agents[0]!.status).toBe('cancelled');
    expect(isAlive(grandchild)).toBe(false);
  });

  it('kills a detached grandchild (own session) left behind by an agent that exited normally', async () => {
    const summary = await run([{ id: 'leaver', prompt: 'mode:detach' }]);
    const detached = await readPid(path.join(summary.agents[0]!.workspace, 'detached.pid'));
    expect(summary.agents[0]!.status).toBe('succeeded');
    expect(isAlive(detached)).toBe(false);
  });

  it('cancels running agents and never starts queued ones when aborted', async () => {
    const controller = new AbortController();
    const events: HerdEvent[] = [];
    const supervisor = new Supervisor({
      workspaceRoot: root.path,
      claudeBin: fakeClaude,
      concurrency: 1,
      killGraceMs: 500,
      onEvent: (event) => {
        events.push(event);
        // Handshake: the agent printed its init line, so it is running.
        if (event.type === 'agent.session') controller.abort();
      },
    });
    lastRun = await supervisor.run(
      [
        { id: 'running', prompt: 'mode:hang' },
        { id: 'queued', prompt: 'mode:ok' },
      ],
      { signal: controller.signal },
    );
    expect(lastRun.status).toBe('cancelled');
    expect(lastRun.agents[0]).toMatchObject({ status: 'cancelled', error: { reason: 'canceled' } });
    expect(lastRun.agents[0]!.sessionId).toMatch(/^fake-/);
    expect(lastRun.agents[1]).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(events.filter((event) => event.type === 'agent.start').map((event) => event.type === 'agent.start' && event.agentId)).toEqual(['running']);
  });
});

describe('output anomalies', () => {
  it('survives 200 MB of output, a 50 MB line and a result split across chunks, with bounded memory', async () => {
    const before = process.memoryUsage().rss;
    const summary = await run([
      { id: 'flood', prompt: 'mode:flood' },
      { id: 'bigline', prompt: 'mode:bigline' },
      { id: 'split', prompt: 'mode:split' },
    ]);
    const grown = process.memoryUsage().rss - before;
    expect(summary.agents.map((agent) => [agent.id, agent.status, agent.result])).toEqual([
      ['flood', 'succeeded', 'flooded'],
      ['bigline', 'succeeded', 'after the big line'],
      ['split', 'succeeded', 'split answer'],
    ]);
    // 250 MB went through; herd keeps at most one line (16 MB cap) per agent.
    expect(grown).toBeLessThan(120 * 1024 * 1024);
  });
});

describe('retries with judgement', () => {
  it('retries a transient failure (529) with backoff and counts attempts, cost of both', async () => {
    const events: HerdEvent[] = [];
    const summary = await run([{ id: 'flaky', prompt: 'mode:fail-once' }], { retries: 2, retryBaseDelayMs: 10 }, events);
    expect(summary.agents[0]).toMatchObject({ status: 'succeeded', attempts: 2, result: 'worked on the second attempt' });
    expect(summary.agents[0]!.costUsd).toBeCloseTo(0.0015, 6);
    expect(events).toContainEqual(expect.objectContaining({ type: 'agent.retry', agentId: 'flaky', attempt: 2, status: 529, source: 'herd' }));
  });

  it('does not retry a permanent failure (400)', async () => {
    const summary = await run([{ id: 'bad', prompt: 'mode:bad-request' }], { retries: 3, retryBaseDelayMs: 10 });
    expect(summary.agents[0]).toMatchObject({ status: 'failed', attempts: 1, error: { reason: 'api', apiStatus: 400 } });
  });
});

describe('secrets', () => {
  it('never writes API keys or tokens to run.json, events.jsonl or results', async () => {
    const secrets = { ANTHROPIC_API_KEY: 'sk-ant-api03-THISISSECRET', MY_SERVICE_TOKEN: 'tok-very-secret-value' };
    const taskSecret = { DEPLOY_TOKEN: 'task-level-secret-123' };
    const summary = await run([{ id: 'leaky', prompt: 'mode:leak', env: taskSecret }], { inheritedEnv: { ...process.env, ...secrets } });
    const runHome = path.join(root.path, summary.runId);
    const written = [
      await readFile(path.join(runHome, 'run.json'), 'utf8'),
      await readFile(path.join(runHome, 'events.jsonl'), 'utf8'),
      JSON.stringify(summary),
    ].join('\n');
    expect(written).toContain('leaked');
    expect(written).toContain('[redacted]');
    for (const value of [...Object.values(secrets), taskSecret.DEPLOY_TOKEN]) expect(written).not.toContain(value);
  });
});

describe('store faults', () => {
  it('skips a torn events.jsonl line on read', async () => {
    const summary = await run([{ id: 'a', prompt: 'mode:ok' }]);
    const runHome = path.join(root.path, summary.runId);
    const { appendFile } = await import('node:fs/promises');
    await appendFile(path.join(runHome, 'events.jsonl'), '{"type":"agent.end","runId":"x","ag');
    const { events, skippedLines } = await readEvents(runHome);
    expect(skippedLines).toBe(1);
    expect(events.some((event) => event.type === 'run.end')).toBe(true);
  });
});
