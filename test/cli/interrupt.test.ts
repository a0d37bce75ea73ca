// Ctrl-C, a second Ctrl-C, and SIGKILL of herd itself followed by `herd resume`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findTaggedProcesses } from '../../src/process/kill-tree.js';
import { readEvents } from '../../src/store/run-store.js';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, makeTempDir, runCli, waitFor } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

const env = () => ({ HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude });
const runDir = () => readdirSync(root.path).find((name) => name !== 'tasks.json');
/** Handshake: each fake agent writes started.pid into its workspace once it is running. */
const startedCount = () => {
  const run = runDir();
  if (!run) return 0;
  return readdirSync(path.join(root.path, run)).filter((agent) => existsSync(path.join(root.path, run, agent, 'started.pid'))).length;
};
const readSummary = () => JSON.parse(readFileSync(path.join(root.path, runDir()!, 'run.json'), 'utf8')) as RunSummary;

describe('interrupting herd', () => {
  it('first Ctrl-C stops the agents, saves the record with cancelled agents and their sessions, says how to resume, exits 130', async () => {
    let interruptedAt = 0;
    const run = await runCli(['spawn', 'mode:hang', '-n', '3', '--kill-grace', '1s'], {
      env: env(),
      onSpawn: (child) => {
        void waitFor(() => startedCount() === 3, 20_000, 'three agents to start').then(() => {
          interruptedAt = Date.now();
          child.kill('SIGINT');
        });
      },
    });
    const exitMs = Date.now() - interruptedAt;
    expect(run.code).toBe(130);
    expect(exitMs).toBeLessThan(2_000 + 1_000 + 1_000);
    expect(run.stderr).toMatch(/SIGINT: stopping agents/);
    expect(run.stderr).toMatch(/finish it with: {2}node dist\/cli\/main.js resume \S+/);
    const summary = readSummary();
    expect(summary.status).toBe('cancelled');
    for (const agent of summary.agents) {
      expect(agent.status).toBe('cancelled');
      expect(agent.sessionId).toMatch(/^fake-/);
    }
    expect(await findTaggedProcesses(`${summary.runId}/`, true)).toEqual([]);
  });

  it('a second Ctrl-C kills SIGTERM-ignoring agents at once', async () => {
    let secondAt = 0;
    const run = await runCli(['spawn', 'mode:ignore-term', '-n', '2', '--kill-grace', '60s'], {
      env: env(),
      onSpawn: (child) => {
        void waitFor(() => startedCount() === 2, 20_000, 'two agents to start').then(() => child.kill('SIGINT'));
      },
      onStderr: (text, child) => {
        if (secondAt === 0 && text.includes('stopping agents')) {
          secondAt = Date.now();
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(5_000);
    expect(run.stderr).toMatch(/again: killed 2 agent process groups/);
    const runId = runDir()!;
    await waitFor(async () => (await findTaggedProcesses(`${runId}/`, true)).length === 0, 5_000, 'agents to be gone');
  });

  it('a second Ctrl-C kills agents and the children they left in other sessions at once, and the record says cancelled', async () => {
    let secondAt = 0;
    const run = await runCli(['spawn', 'mode:escape-and-hang', '-n', '2', '--kill-grace', '60s'], {
      env: env(),
      onSpawn: (child) => {
        void waitFor(() => startedCount() === 2, 20_000, 'two agents to start').then(() => child.kill('SIGINT'));
      },
      onStderr: (text, child) => {
        if (secondAt === 0 && text.includes('stopping agents')) {
          secondAt = Date.now();
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(Date.now() - secondAt).toBeLessThan(10_000);
    const summary = readSummary();
    expect(summary.status).toBe('cancelled');
    expect(summary.agents.map((agent) => agent.status)).toEqual(['cancelled', 'cancelled']);
    // Gone by the time herd exited: nothing waits for them.
    expect(await findTaggedProcesses(`${summary.runId}/`, true)).toEqual([]);
  });

  for (const [signal, cause] of [
    ['SIGHUP', 'terminal or SSH connection closed'],
    ['SIGQUIT', 'Ctrl-\\'],
  ] as const) {
    it(`${signal} (${cause}) stops the agents and their escaped children and records the run as cancelled`, async () => {
      const run = await runCli(['spawn', 'mode:escape-and-hang', '-n', '2', '--kill-grace', '1s'], {
        env: env(),
        onSpawn: (child) => {
          void waitFor(() => startedCount() === 2, 20_000, 'two agents to start').then(() => child.kill(signal));
        },
      });
      expect(run.signal).toBeNull();
      expect(run.code).toBe(130);
      expect(run.stderr).toContain(`${signal}: stopping agents`);
      const summary = readSummary();
      expect(summary.status).toBe('cancelled');
      expect(summary.agents.map((agent) => agent.status)).toEqual(['cancelled', 'cancelled']);
      expect(existsSync(path.join(root.path, summary.runId, 'run.lock'))).toBe(false);
      expect(await findTaggedProcesses(`${summary.runId}/`, true)).toEqual([]);
    });
  }

  it('after SIGKILL of herd, every finished result is on disk and `herd resume` runs only the unfinished agent', async () => {
    const tasks = path.join(root.path, 'tasks.json');
    await writeFile(
      tasks,
      JSON.stringify([
        { id: 'a', prompt: 'mode:ok' },
        { id: 'b', prompt: 'mode:ok' },
        { id: 'slow', prompt: 'mode:hang-once' },
      ]),
    );
    const killed = await runCli(['spawn', '--tasks', tasks], {
      env: env(),
      onSpawn: (child) => {
        void waitFor(
          () => {
            if (!runDir() || startedCount() < 1) return false;
            const summary = readSummary();
            // Handshake on the record itself: both results and the slow agent's session are on disk.
            const slowSession = summary.agents.find((agent) => agent.id === 'slow')?.sessionId;
            return summary.agents.filter((agent) => agent.status === 'succeeded').length === 2 && slowSession !== undefined;
          },
          20_000,
          'two results on disk',
        ).then(() => child.kill('SIGKILL'));
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const before = readSummary();
    const finishedBefore = before.agents.filter((agent) => agent.status === 'succeeded');
    expect(finishedBefore.map((agent) => agent.id).sort()).toEqual(['a', 'b']);

    const resumed = await runCli(['resume', before.runId, '--json', '-q'], { env: env() });
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse(resumed.stdout) as RunSummary;
    expect(after.runId).toBe(before.runId);
    expect(after.status).toBe('succeeded');
    expect(after.turns).toHaveLength(1);
    expect(after.turns[0]!.agents.map((agent) => agent.id)).toEqual(['a', 'b', 'slow']);
    // Finished agents were not run again: their results are byte-identical.
    for (const agent of finishedBefore) expect(after.agents.find((candidate) => candidate.id === agent.id)).toEqual(agent);
    // The unfinished one continued its own session.
    const slow = after.agents.find((agent) => agent.id === 'slow')!;
    expect(slow.result).toMatch(/^finished on resume of fake-/);
    const { events } = await readEvents(path.join(root.path, before.runId));
    const starts = events.filter((event) => event.type === 'agent.start').map((event) => (event.type === 'agent.start' ? event.agentId : ''));
    expect(starts.filter((id) => id === 'a')).toHaveLength(1);
    expect(starts.filter((id) => id === 'b')).toHaveLength(1);
    expect(await findTaggedProcesses(`${before.runId}/`, true)).toEqual([]);
  });
});
