// `herd spawn --then`: several turns in one command, each recorded as `herd continue` would,
// on warm processes by default (fake agents; needs the built CLI in dist/).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, fixture, makeTempDir, runCli } from '../helpers.js';

const fakeWarm = fixture('fake-claude-warm.mjs');

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

const herd = (args: string[], bin: string) => runCli(args, { env: { HERD_HOME: root.path, HERD_CLAUDE_BIN: bin } });

describe('herd spawn --then', () => {
  it('runs one turn per --then on the same warm processes and records each turn', async () => {
    const run = await herd(['spawn', '-n', '2', 'mode:ok first', '--then', 'mode:ok second', '--then', 'mode:ok third', '--json'], fakeWarm);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.turns.map((turn) => turn.prompt)).toEqual([undefined, 'mode:ok second', 'mode:ok third']);
    for (const [index, agent] of summary.turns[2]!.agents.entries()) {
      const firstAnswer = summary.turns[0]!.agents[index]!.result!;
      const pid = /from (\d+)/.exec(firstAnswer)![1];
      expect(agent).toMatchObject({
        status: 'succeeded',
        sessionId: summary.turns[0]!.agents[index]!.sessionId,
        result: `warm answer 3 from ${pid} to: mode:ok third`,
      });
    }
    expect(JSON.parse(await readFile(path.join(root.path, summary.runId, 'run.json'), 'utf8'))).toEqual(summary);
    expect(run.stderr).toMatch(/turn 1[\s\S]*turn 2: mode:ok second[\s\S]*turn 3: mode:ok third/);
  });

  it('with --no-keep-alive every later turn resumes its session in a new process', async () => {
    const run = await herd(['spawn', 'mode:ok first', '--then', 'mode:ok second', '--no-keep-alive', '--json', '-q'], fakeClaude);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.turns[1]!.agents[0]!.result).toBe(`fake answer to: mode:ok second (resumed ${summary.turns[0]!.agents[0]!.sessionId})`);
  });

  it('exits 1 when an agent fails in a later turn, and 2 for an empty follow-up', async () => {
    const failed = await herd(['spawn', 'mode:ok first', '--then', 'mode:crash', '--json', '-q'], fakeWarm);
    expect(failed.code).toBe(1);
    expect((JSON.parse(failed.stdout) as RunSummary).turns[1]!.agents[0]).toMatchObject({ status: 'failed', exitCode: 3 });
    const empty = await herd(['spawn', 'mode:ok first', '--then', ' '], fakeWarm);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--then: expected a follow-up prompt/);
  });
});
