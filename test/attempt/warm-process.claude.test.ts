// Warm turns with the real claude CLI (`--input-format stream-json`) on the simulate server:
// one process per agent serves every turn of a Supervisor, and a process killed between
// turns is replaced by a cold `--resume` without the caller noticing. Three claude starts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { findTaggedProcesses } from '../../src/process/kill-tree.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { isAlive, makeTempDir, waitFor } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
let supervisor: Supervisor;
const starts: Array<Extract<HerdEvent, { type: 'agent.start' }>> = [];

beforeAll(async () => {
  root = await makeTempDir();
  supervisor = new Supervisor({
    workspaceRoot: root.path,
    simulate: { latencyMs: 0 },
    keepAlive: true,
    onEvent: (event) => {
      if (event.type === 'agent.start') starts.push(event);
    },
  });
});
afterAll(async () => {
  await supervisor.close();
  await root.cleanup();
});

describe('keepAlive with the real claude CLI', () => {
  let first: RunSummary;

  it('runs 3 turns of 2 agents on 2 processes, each turn in the same session', async () => {
    first = await supervisor.run([
      { id: 'poet', prompt: 'Write a haiku about rivers' },
      { id: 'chef', prompt: 'Describe a soup' },
    ]);
    expect(first.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);
    await supervisor.continue(first.runId, 'Now make it about the sea');
    const third = await supervisor.continue(first.runId, 'Now shorter');

    for (const [index, agent] of third.turns[2]!.agents.entries()) {
      expect(agent.status).toBe('succeeded');
      expect(agent.sessionId).toBe(first.agents[index]!.sessionId);
      expect(agent.result).toMatch(/turn 3; earlier you asked: "Now make it about the sea"/);
    }
    expect(third.turns[1]!.agents[0]!.result).toMatch(/turn 2; earlier you asked: "Write a haiku about rivers"/);
    expect(third.turns[1]!.agents[1]!.result).toMatch(/turn 2; earlier you asked: "Describe a soup"/);
    // Two claude processes served all six agent turns.
    expect(new Set(starts.map((start) => start.pid)).size).toBe(2);
    expect(starts.filter((start) => !start.warm)).toHaveLength(2);
    expect((await findTaggedProcesses(`${first.runId}/`, true)).sort()).toEqual([...new Set(starts.map((start) => start.pid!))].sort());
  });

  it('a warm process killed between turns falls back to a cold --resume and still succeeds', async () => {
    const poetPid = starts.find((start) => start.agentId === 'poet')!.pid!;
    // Handshake: claude writes a turn to its session file shortly after printing the result; a
    // process killed before that loses the turn from the session (claude's behaviour, not herd's).
    await waitFor(() => sessionText(first.claudeConfigDir!, first.agents[0]!.sessionId!).includes('turn 3;'), 10_000, 'claude to save turn 3');
    process.kill(poetPid, 'SIGKILL');
    await waitFor(() => !isAlive(poetPid), 5_000, 'the killed warm process to be gone');

    const fourth = await supervisor.continue(first.runId, 'One more time');
    const [poet, chef] = fourth.turns[3]!.agents;
    expect(poet).toMatchObject({ status: 'succeeded', sessionId: first.agents[0]!.sessionId, attempts: 1 });
    expect(poet!.result).toMatch(/turn 4; earlier you asked: "Now shorter"/);
    expect(chef).toMatchObject({ status: 'succeeded', sessionId: first.agents[1]!.sessionId });
    // claude's warm result lines carry the process's running cost; each turn records only its own:
    // the warm chef's 4th turn costs about what the poet's freshly resumed one does, not 4 turns' worth.
    expect(chef!.costUsd).toBeGreaterThan(0);
    expect(chef!.costUsd / poet!.costUsd).toBeGreaterThan(0.5);
    expect(chef!.costUsd / poet!.costUsd).toBeLessThan(2);
    const turn4 = starts.filter((start) => start.turn === 4);
    const poetStart = turn4.find((start) => start.agentId === 'poet')!;
    expect(poetStart.warm).toBeUndefined();
    expect(poetStart.pid).not.toBe(poetPid);
    expect(turn4.find((start) => start.agentId === 'chef')).toMatchObject({ warm: true });

    await supervisor.close();
    expect(await findTaggedProcesses(`${first.runId}/`, true)).toEqual([]);
  });
});

/** The saved transcript of a session (CLAUDE_CONFIG_DIR/projects/<cwd>/<id>.jsonl), or "" while there is none. */
function sessionText(configDir: string, sessionId: string): string {
  const projects = path.join(configDir, 'projects');
  if (!existsSync(projects)) return '';
  for (const dir of readdirSync(projects)) {
    const file = path.join(projects, dir, `${sessionId}.jsonl`);
    if (existsSync(file)) return readFileSync(file, 'utf8');
  }
  return '';
}
