import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordChange } from '../../src/repo/change.js';
import { listBranches, prepareWorktree, removeRunWorktrees } from '../../src/repo/worktree.js';
import { makeTempDir } from '../helpers.js';
import { gitIn, makeRepo, writeFiles } from './git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
beforeEach(async () => {
  temp = await makeTempDir('herd-worktree-');
  root = path.join(temp.path, 'project');
  base = await makeRepo(root, { 'app.js': 'const value = 1;\n' });
});
afterEach(async () => {
  await temp.cleanup();
});

describe('agent worktrees', () => {
  it('adds 12 worktrees of one repository at once without a lock error (adds run one at a time)', async () => {
    // Enough files that each add takes a while: unserialised, adds read each other's half-written entries.
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, index) => [`src/m${index % 30}/f${index}.txt`, `${index}\n`.repeat(20)]));
    await writeFiles(root, many);
    gitIn(root, ['add', '-A']);
    gitIn(root, ['commit', '-q', '-m', 'many files']);
    const head = gitIn(root, ['rev-parse', 'HEAD']);
    const runHome = path.join(temp.path, 'runs', 'r1');
    const prepared = await Promise.all(
      Array.from({ length: 12 }, (_, index) => prepareWorktree({ root, dir: path.join(runHome, `a${index}`), branch: `herd/r1/a${index}`, startSha: head })),
    );
    expect(prepared.every((worktree) => worktree.state === 'created' && worktree.head === head)).toBe(true);
    expect(gitIn(root, ['worktree', 'list']).split('\n')).toHaveLength(13);
    expect(await listBranches(root, 'herd/r1/')).toHaveLength(12);
  });

  it('reuses an existing worktree, and recreates a vanished one from its branch with the work on it', async () => {
    const dir = path.join(temp.path, 'runs', 'r2', 'a');
    const request = { root, dir, branch: 'herd/r2/a', startSha: base };
    expect((await prepareWorktree(request)).state).toBe('created');
    await writeFile(path.join(dir, 'app.js'), 'const value = 2;\n');
    const change = await recordChange({ workspace: dir, branch: 'herd/r2/a', from: base, baseSha: base, message: 'turn 1', identity: {} });
    expect(await prepareWorktree(request)).toEqual({ state: 'reused', head: change.to });
    await rm(dir, { recursive: true, force: true });
    expect(await prepareWorktree(request)).toEqual({ state: 'recreated', head: change.to });
    expect(await readFile(path.join(dir, 'app.js'), 'utf8')).toBe('const value = 2;\n');
  });

  it('checks out a worktree whose entry was made but whose files never were (herd killed in between)', async () => {
    const dir = path.join(temp.path, 'runs', 'r6', 'a');
    gitIn(root, ['worktree', 'add', '-q', '--no-checkout', '-b', 'herd/r6/a', dir, base]);
    expect(await prepareWorktree({ root, dir, branch: 'herd/r6/a', startSha: base })).toEqual({ state: 'reused', head: base });
    expect(await readFile(path.join(dir, 'app.js'), 'utf8')).toBe('const value = 1;\n');
    expect(gitIn(dir, ['status', '--porcelain'])).toBe('');
  });

  it("removes a run's worktrees and branches, and nothing of the user's", async () => {
    gitIn(root, ['branch', 'feature']);
    gitIn(root, ['worktree', 'add', '-q', path.join(temp.path, 'mine'), 'feature']);
    const before = { worktrees: gitIn(root, ['worktree', 'list']), branches: gitIn(root, ['branch', '--list']) };
    const runHome = path.join(temp.path, 'runs', 'r3');
    for (const id of ['a', 'b']) await prepareWorktree({ root, dir: path.join(runHome, id), branch: `herd/r3/${id}`, startSha: base });
    // Another run's branch stays.
    await prepareWorktree({ root, dir: path.join(temp.path, 'runs', 'r4', 'a'), branch: 'herd/r4/a', startSha: base });
    const removed = await removeRunWorktrees(root, runHome, 'herd/r3/', false);
    expect(removed.branches.sort()).toEqual(['herd/r3/a', 'herd/r3/b']);
    expect(existsSync(path.join(runHome, 'a'))).toBe(false);
    expect(await listBranches(root, 'herd/r4/')).toEqual(['herd/r4/a']);
    await removeRunWorktrees(root, path.join(temp.path, 'runs', 'r4'), 'herd/r4/', false);
    expect({ worktrees: gitIn(root, ['worktree', 'list']), branches: gitIn(root, ['branch', '--list']) }).toEqual(before);
  });

  it('keeps the branches when asked', async () => {
    const runHome = path.join(temp.path, 'runs', 'r5');
    await prepareWorktree({ root, dir: path.join(runHome, 'a'), branch: 'herd/r5/a', startSha: base });
    await removeRunWorktrees(root, runHome, 'herd/r5/', true);
    expect(await listBranches(root, 'herd/r5/')).toEqual(['herd/r5/a']);
    expect(gitIn(root, ['worktree', 'list']).split('\n')).toHaveLength(1);
  });
});
