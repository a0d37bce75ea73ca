// Warm turns (Supervisor keepAlive) with a fake claude that speaks the stream-json input
// protocol: reuse across turns, deadlines and cancellation inside a warm turn, idle close,
// and the transparent fall back to a fresh process when a warm one is gone.
import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { findTaggedProcesses } from '../../src/process/kill-tree.js';
import { Supervisor, type SupervisorOptions } from '../../src/supervisor/supervisor.js';
import { fixture, isAlive, makeTempDir, waitFor } from '../helpers.js';

const fakeWarm = fixture('fake-claude-warm.mjs');

let root: { path: string; cleanup: () => Promise<void> };
let supervisor: Supervisor;
let starts: Array<Extract<HerdEvent, { type: 'agent.start' }>>;

beforeEach(async () => {
  root = await makeTempDir();
  starts = [];
});
afterEach(async () => {
  await supervisor.close();
  await root.cleanup();
});

function createSupervisor(options: SupervisorOptions = {}): Supervisor {
  supervisor = new Supervisor({
    workspaceRoot: root.path,
    claudeBin: fakeWarm,
    keepAlive: true,
    killGraceMs: 500,
    onEvent: (event) => {
      if (event.type === 'agent.start') starts.push(event);
    },
    ...options,
  });
  return supervisor;
}

/** Pids of the fake processes an agent workspace has seen started (each writes warm-<pid>.pid). */
async function startedPids(workspace: string): Promise<number[]> {
  return (await readdir(workspace)).filter((name) => /^warm-\d+\.pid$/.test(name)).map((name) => Number(name.slice(5, -4)));
}

describe('warm turns with a fake stream-json agent', () => {
  it('a turn that goes to a kept-alive process does not wait for a start slot', async () => {
    const gated = createSupervisor({ startSlots: 1 });
    const first = await gated.run(['a', 'b'].map((id) => ({ id, prompt: 'mode:ok one' })));
    const workspaces = first.agents.map((agent) => agent.workspace);
    // Both kept processes stay silent on turn 2 until told to go: had turn 2 waited for the one
    // start slot, b would get its turn only when the gate gives up on silent a (after 10 s).
    const second = gated.continue(first.runId, 'mode:wait-go two');
    await waitFor(() => workspaces.every((workspace) => existsSync(path.join(workspace, 'got-turn-2'))), 5_000, 'both kept processes to get turn 2');
    for (const workspace of workspaces) await writeFile(path.join(workspace, 'go'), '');
    expect((await second).turns[1]!.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('answers three turns of two agents with two processes, the session kept', async () => {
    const herd = createSupervisor();
    const first = await herd.run([
      { id: 'a', prompt: 'mode:ok first' },
      { id: 'b', prompt: 'mode:ok first' },
    ]);
    await herd.continue(first.runId, 'mode:ok second');
    const third = await herd.continue(first.runId, 'mode:ok third');
    expect(third.totals.costUsd).toBeCloseTo(0.002, 10);
    for (const [index, agent] of third.turns[2]!.agents.entries()) {
      expect(agent.status).toBe('succeeded');
      expect(agent.result).toMatch(/^warm answer 3 from \d+ to: mode:ok third$/);
      expect(agent.sessionId).toBe(first.agents[index]!.sessionId);
      expect(await startedPids(agent.workspace)).toHaveLength(1);
      // The fake reports sums over the process's life, as claude does; each turn keeps its own share.
      expect(agent).toMatchObject({ costUsd: 0.001, durationApiMs: 2 });
    }
    // Within a turn, agents announce their start in whichever order they answer.
    const byTurnThenAgent = (start: (typeof starts)[number]) => `${start.turn}/${start.agentId}`;
    expect(
      starts.sort((x, y) => byTurnThenAgent(x).localeCompare(byTurnThenAgent(y))).map((start) => [start.agentId, start.turn, start.warm ?? false]),
    ).toEqual([
      ['a', 1, false],
      ['b', 1, false],
      ['a', 2, true],
      ['b', 2, true],
      ['a', 3, true],
      ['b', 3, true],
    ]);
    expect((await findTaggedProcesses(`${first.runId}/`, true)).length).toBe(2);
    await herd.close();
    expect(await findTaggedProcesses(`${first.runId}/`, true)).toEqual([]);
  });

  it('a wall-clock timeout in a warm turn kills that process; the next turn resumes the session on a new one', async () => {
    const herd = createSupervisor({ timeoutMs: 1_500 });
    const first = await herd.run([{ id: 'a', prompt: 'mode:ok first' }]);
    const warmPid = starts[0]!.pid!;
    const timedOut = await herd.continue(first.runId, 'mode:hang second');
    expect(timedOut.turns[1]!.agents[0]).toMatchObject({ status: 'timeout', error: { reason: 'timeout' }, sessionId: first.agents[0]!.sessionId });
    expect(starts[1]).toMatchObject({ pid: warmPid, warm: true });
    expect(isAlive(warmPid)).toBe(false);
    const after = await herd.continue(first.runId, 'mode:ok third');
    const agent = after.turns[2]!.agents[0]!;
    expect(agent.status).toBe('succeeded');
    expect(agent.result).toMatch(new RegExp(`^warm answer 1 from \\d+ to: mode:ok third \\(resumed ${first.agents[0]!.sessionId}\\)$`));
    expect(starts[2]!.warm).toBeUndefined();
    expect(starts[2]!.pid).not.toBe(warmPid);
  });

  it('an idle timeout and a cancel end a warm turn like a cold one', async () => {
    const controller = new AbortController();
    const herd = createSupervisor({ idleTimeoutMs: 800 });
    const first = await herd.run([{ id: 'idle' }, { id: 'cancel' }].map((task) => ({ ...task, prompt: 'mode:ok first' })));
    const idle = await herd.continue(first.runId, 'mode:hang second', { agents: ['idle'] });
    expect(idle.turns[1]!.agents[0]).toMatchObject({ id: 'idle', status: 'timeout', error: { reason: 'idle' } });
    setTimeout(() => controller.abort(), 300);
    const cancelled = await herd.continue(first.runId, 'mode:hang third', { agents: ['cancel'], signal: controller.signal });
    expect(cancelled.turns[2]!.agents[0]).toMatchObject({ id: 'cancel', status: 'cancelled', error: { reason: 'canceled' } });
    expect(starts.filter((start) => start.warm)).toHaveLength(2);
    expect(await findTaggedProcesses(`${first.runId}/`, true)).toEqual([]);
  });

  it('a warm process killed between turns is replaced by a resumed one, transparently', async () => {
    const herd = createSupervisor();
    const first = await herd.run([{ id: 'a', prompt: 'mode:ok first' }]);
    const warmPid = starts[0]!.pid!;
    process.kill(warmPid, 'SIGKILL');
    await waitFor(() => !isAlive(warmPid), 5_000, 'the warm process to die');
    const after = await herd.continue(first.runId, 'mode:ok second');
    const agent = after.turns[1]!.agents[0]!;
    expect(agent).toMatchObject({ status: 'succeeded', sessionId: first.agents[0]!.sessionId, attempts: 1 });
    expect(agent.result).toContain(`(resumed ${first.agents[0]!.sessionId})`);
    expect(await startedPids(agent.workspace)).toHaveLength(2);

    // Gone the moment the turn is asked, before herd could notice: the turn still moves to a new process.
    const secondPid = starts[1]!.pid!;
    expect(secondPid).not.toBe(warmPid);
    const third = await herd.continue(first.runId, 'mode:vanish-once third');
    expect(third.turns[2]!.agents[0]).toMatchObject({ status: 'succeeded', sessionId: first.agents[0]!.sessionId, attempts: 1 });
    expect(third.turns[2]!.agents[0]!.result).toMatch(/^warm answer 1 from \d+ to: mode:vanish-once third \(resumed /);
    expect(starts[2]!.warm).toBeUndefined();
    expect(starts[2]!.pid).not.toBe(secondPid);
    expect(await startedPids(agent.workspace)).toHaveLength(3);
  });

  it('a warm process that sat idle too long is closed, and the next turn resumes cold', async () => {
    const herd = createSupervisor({ keepAliveIdleMs: 200 });
    const first = await herd.run([{ id: 'a', prompt: 'mode:ok first' }]);
    const warmPid = starts[0]!.pid!;
    await waitFor(() => !isAlive(warmPid), 5_000, 'the idle warm process to be closed');
    const after = await herd.continue(first.runId, 'mode:ok second');
    expect(after.turns[1]!.agents[0]).toMatchObject({ status: 'succeeded' });
    expect(starts[1]!.warm).toBeUndefined();
  });
});
