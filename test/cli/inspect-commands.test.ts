// `herd runs`, `show`, `report`, `clean` (and the run ids every command takes) against real
// run directories, damaged and crafted ones included.

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockRun } from '../../src/store/run-lock.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, makeTempDir, runCli } from '../helpers.js';

let dir: { path: string; cleanup: () => Promise<void> };
let root: string;
beforeEach(async () => {
  dir = await makeTempDir();
  root = path.join(dir.path, 'root');
  await mkdir(root);
});
afterEach(async () => {
  await dir.cleanup();
});

const herd = (args: string[]) => runCli(args, { env: { HERD_HOME: root, HERD_CLAUDE_BIN: fakeClaude } });

async function spawnRun(): Promise<RunSummary> {
  const run = await herd(['spawn', 'mode:ok', '--json', '-q']);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as RunSummary;
}

/** A run with a chosen id (the CLI gives that to `herd run` only), made through the library. */
const namedRun = (runId: string) => new Supervisor({ workspaceRoot: root, claudeBin: fakeClaude }).run([{ id: 'agent-1', prompt: 'mode:ok' }], { runId });

const readRecord = async (runId: string) => JSON.parse(await readFile(path.join(root, runId, 'run.json'), 'utf8')) as RunSummary;

describe('herd clean', () => {
  it('--all removes only run directories under the root: never a path named in a record, never through a symbolic link', async () => {
    const genuine = await spawnRun();
    // A sibling of the root that holds a run record of its own (another herd root's run, say).
    const victim = path.join(dir.path, 'victim');
    await mkdir(victim);
    await writeFile(path.join(victim, 'run.json'), JSON.stringify(await readRecord(genuine.runId)));
    await writeFile(path.join(victim, 'keep.txt'), 'precious');
    // A crafted record that names the victim, and a link that leads to it.
    await mkdir(path.join(root, 'crafted'));
    await writeFile(path.join(root, 'crafted', 'run.json'), JSON.stringify({ ...(await readRecord(genuine.runId)), runId: '../victim' }));
    await symlink(victim, path.join(root, 'linked'));
    // The user's own directory in the root, not a run.
    await mkdir(path.join(root, 'notes'));
    await writeFile(path.join(root, 'notes', 'todo.txt'), 'mine');

    const clean = await herd(['clean', '--all']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(await readFile(path.join(victim, 'keep.txt'), 'utf8')).toBe('precious');
    expect(existsSync(path.join(victim, 'run.json'))).toBe(true);
    expect((await readdir(root)).sort()).toEqual(['linked', 'notes']);
    expect(clean.stderr).toContain(`removed ${path.join(root, genuine.runId)}\n`);
    expect(clean.stderr).toContain(`removed ${path.join(root, 'crafted')}\n`);
    // Named directly, the link is refused too.
    const named = await herd(['clean', 'linked']);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^herd: unknown run id "linked"/);
    expect(await readFile(path.join(victim, 'keep.txt'), 'utf8')).toBe('precious');
  });

  it('refuses a run a live herd holds (exit 2); --all removes the others and exits 1', async () => {
    const busy = await spawnRun();
    const idle = await spawnRun();
    // This test process is a live herd holding the run, as `herd continue` would.
    const release = await lockRun(root, busy.runId);
    try {
      const one = await herd(['clean', busy.runId]);
      expect(one.code).toBe(2);
      expect(one.stderr).toBe(`herd: run ${busy.runId} is in use by herd process ${process.pid}; not removed (wait until it finishes, or stop it first)\n`);
      const all = await herd(['clean', '--all']);
      expect(all.code).toBe(1);
      expect(all.stderr).toContain(`removed ${path.join(root, idle.runId)}\n`);
      expect(all.stderr).toContain(`herd: run ${busy.runId} is in use by herd process ${process.pid}`);
      expect(await readRecord(busy.runId)).toMatchObject({ runId: busy.runId, status: 'succeeded' });
    } finally {
      await release();
    }
    expect((await herd(['clean', busy.runId])).code).toBe(0);
    expect(await readdir(root)).toEqual([]);
  });

  it('removes what a herd killed or out of disk left: a run directory with no record', async () => {
    // As a SIGKILL or a full disk during creation left it in earlier versions: an empty temp
    // record, a lock whose owner is gone, an agent's workspace.
    const debris = path.join(root, '20260101-000000-dead');
    await mkdir(path.join(debris, 'agent-1'), { recursive: true });
    await writeFile(path.join(debris, 'run.json.4242.0a0b0c0d.tmp'), '');
    await writeFile(path.join(debris, 'run.lock'), '2147483646 1 00ff00ff00ff00ff\n');
    const runs = await herd(['runs']);
    expect(runs.stderr).toContain('warning: skipped 20260101-000000-dead: no run.json');
    const clean = await herd(['clean', '20260101-000000']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toMatch(/^removed .*20260101-000000-dead \(no run.json: left by a herd that was killed or ran out of disk\)\n$/);
    expect(await readdir(root)).toEqual([]);
  });
});

describe('run ids: latest and unique prefixes', () => {
  it('show, report, continue, resume and clean take latest, - , @ and a unique prefix; an ambiguous prefix lists the runs (exit 2)', async () => {
    const first = await namedRun('alpha-1');
    const second = await namedRun('alpha-2');
    const newest = await namedRun('beta');
    for (const ref of ['latest', '-', '@', 'be']) {
      const shown = await herd(['show', ref, '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      expect((JSON.parse(shown.stdout) as RunSummary).runId).toBe(newest.runId);
    }
    const ambiguous = await herd(['show', 'alpha']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toBe(`herd: run id "alpha" matches 2 runs: ${first.runId}, ${second.runId}; give more of it\n`);
    const report = await herd(['report', 'alpha-2']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout.trim()).toBe(path.join(root, 'alpha-2', 'report.html'));
    const continued = await herd(['continue', 'latest', 'mode:ok again', '--json', '-q']);
    expect(continued.code, continued.stderr).toBe(0);
    expect((JSON.parse(continued.stdout) as RunSummary).turns).toHaveLength(2);
    const resumed = await herd(['resume', 'alpha-1']);
    expect(resumed.stderr).toContain(`nothing to resume in run ${first.runId}`);
    expect((await herd(['clean', '@'])).code).toBe(0);
    expect((await readdir(root)).sort()).toEqual(['alpha-1', 'alpha-2']);
    const unknown = await herd(['show', 'gamma']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`herd: unknown run id "gamma" in ${root}; see \`node dist/cli/main.js runs\`\n`);
  });

  it('says there is no newest run in an empty root, and refuses latest as the id of a new run', async () => {
    const none = await herd(['show', 'latest']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`herd: "latest" stands for the newest run, but there are no runs in ${root}\n`);
    await expect(namedRun('latest')).rejects.toThrow('run id "latest" is not allowed: it stands for the newest run');
    expect(await readdir(root)).toEqual([]);
  });
});

describe('damaged and crafted records', () => {
  it('a record of the wrong shape is one line from show, report, resume and continue, and skipped with a warning by runs', async () => {
    const good = await spawnRun();
    await mkdir(path.join(root, 'empty-record'));
    await writeFile(path.join(root, 'empty-record', 'run.json'), '{}');
    for (const args of [
      ['show', 'empty-record'],
      ['report', 'empty-record'],
      ['resume', 'empty-record'],
      ['continue', 'empty-record', 'hi'],
    ]) {
      const run = await herd(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toBe(
        `herd: ${path.join(root, 'empty-record', 'run.json')} is not a herd run record (runId: Invalid input: expected string, received undefined); the run record is damaged\n`,
      );
    }
    const runs = await herd(['runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(good.runId);
    expect(runs.stderr).toMatch(/^warning: skipped empty-record: .* is not a herd run record \(runId: .*\n$/);
  });

  it('resume and continue refuse a record whose workspaces lie outside the run directory', async () => {
    const run = await spawnRun();
    const record = await readRecord(run.runId);
    const crafted = { ...record, status: 'running', agents: record.agents.map((agent) => ({ ...agent, workspace: '/etc' })) };
    crafted.turns[0]!.agents = [];
    await writeFile(path.join(root, run.runId, 'run.json'), JSON.stringify(crafted));
    for (const args of [
      ['resume', run.runId],
      ['continue', run.runId, 'mode:ok hi'],
    ]) {
      const refused = await herd(args);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stderr).toBe(
        `herd: run ${run.runId}: agent agent-1's workspace "/etc" is outside the run's directory ${path.join(root, run.runId)}; refusing to use the record\n`,
      );
    }
    // A workspace replaced by a link out of the run directory is refused the same way.
    await writeFile(path.join(root, run.runId, 'run.json'), JSON.stringify(record));
    const { rm } = await import('node:fs/promises');
    await rm(record.agents[0]!.workspace, { recursive: true });
    await symlink('/etc', record.agents[0]!.workspace);
    const linked = await herd(['continue', run.runId, 'mode:ok hi']);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toContain(`agent agent-1's workspace ${JSON.stringify(record.agents[0]!.workspace)} is outside the run's directory`);
  });

  it("an old record whose agent was cancelled (reason 'canceled') and without later fields still reads", async () => {
    const run = await spawnRun();
    const record = await readRecord(run.runId);
    const agent = { ...record.agents[0]!, status: 'cancelled', error: { reason: 'canceled', message: 'cancelled by the user' } };
    const { apiMs: _apiMs, ...oldTotals } = record.totals;
    const old = { ...record, status: 'cancelled', totals: oldTotals, agents: [agent], turns: [{ ...record.turns[0]!, agents: [agent], totals: oldTotals }] };
    await writeFile(path.join(root, run.runId, 'run.json'), JSON.stringify(old));
    const shown = await herd(['show', run.runId, '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as RunSummary).agents[0]!.error).toEqual({ reason: 'canceled', message: 'cancelled by the user' });
    expect((await herd(['runs'])).stdout).toContain(run.runId);
  });
});
