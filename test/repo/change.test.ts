import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordChange } from '../../src/repo/change.js';
import { prepareWorktree } from '../../src/repo/worktree.js';
import { makeTempDir } from '../helpers.js';
import { gitIn, makeRepo, writeFiles } from './git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
let dir: string;
const branch = 'herd/run/a';
beforeEach(async () => {
  temp = await makeTempDir('herd-change-');
  root = path.join(temp.path, 'project');
  base = await makeRepo(root, { 'app.js': 'one\ntwo\nthree\n', 'old.txt': 'bye\n', '.gitignore': 'build/\n' });
  dir = path.join(temp.path, 'runs', 'run', 'a');
  await prepareWorktree({ root, dir, branch, startSha: base });
});
afterEach(async () => {
  await temp.cleanup();
});

const record = (from: string, message = 'herd: a, turn 1') => recordChange({ workspace: dir, branch, from, baseSha: base, message, identity: {} });

describe('recording what a turn changed', () => {
  it('commits modified, new and deleted files on the branch (ignored ones stay out) and counts them', async () => {
    await writeFiles(dir, { 'app.js': 'one\nTWO\nthree\nfour\n', 'new/notes.md': 'a\nb\n', 'build/out.js': 'generated\n' });
    await rm(path.join(dir, 'old.txt'));
    const change = await record(base);
    expect(change).toMatchObject({ branch, from: base, files: 3, insertions: 4, deletions: 2, sinceBase: { files: 3, insertions: 4, deletions: 2 } });
    expect(change.paths.sort()).toEqual(['app.js', 'new/notes.md', 'old.txt']);
    expect(change.commit).toBe(change.to);
    expect(gitIn(root, ['rev-parse', branch])).toBe(change.to);
    expect(gitIn(root, ['log', '-1', '--format=%s|%an', branch])).toBe('herd: a, turn 1|Test User');
    // The workspace is clean afterwards, the ignored file still there.
    expect(gitIn(dir, ['status', '--porcelain'])).toBe('');
    expect(await readFile(path.join(dir, 'build/out.js'), 'utf8')).toBe('generated\n');
  });

  it('records a turn that changed nothing as no change, without a commit', async () => {
    const change = await record(base);
    expect(change).toMatchObject({ from: base, to: base, files: 0, insertions: 0, deletions: 0, paths: [], sinceBase: { files: 0 } });
    expect(change.commit).toBeUndefined();
    expect(gitIn(root, ['rev-parse', branch])).toBe(base);
  });

  it("keeps the agent's own commits, counts them, and commits what it left uncommitted on top", async () => {
    await writeFile(path.join(dir, 'app.js'), 'one\n');
    gitIn(dir, ['commit', '-q', '-am', 'agent: shorten']);
    await writeFile(path.join(dir, 'app.js'), 'one\nplus\n');
    const change = await record(base);
    expect(change.agentCommits).toBe(1);
    expect(change.commit).toBe(change.to);
    expect(gitIn(root, ['rev-list', '--count', `${base}..${branch}`])).toBe('2');
    expect(change).toMatchObject({ files: 1, insertions: 1, deletions: 2 });
  });

  it("never touches the user's index or files", async () => {
    await writeFile(path.join(root, 'app.js'), 'user edit\n');
    gitIn(root, ['add', 'app.js']);
    const userStatus = gitIn(root, ['status', '--porcelain']);
    await writeFile(path.join(dir, 'app.js'), 'agent edit\n');
    await record(base);
    expect(gitIn(root, ['status', '--porcelain'])).toBe(userStatus);
    expect(await readFile(path.join(root, 'app.js'), 'utf8')).toBe('user edit\n');
  });

  it('measures a second turn against the first and the base', async () => {
    await writeFile(path.join(dir, 'app.js'), 'one\ntwo\nthree\nfour\n');
    const first = await record(base);
    await writeFile(path.join(dir, 'app.js'), 'one\ntwo\nthree\nfour\nfive\n');
    const second = await record(first.to, 'herd: a, turn 2');
    expect(second).toMatchObject({ from: first.to, files: 1, insertions: 1, deletions: 0, sinceBase: { files: 1, insertions: 2, deletions: 0 } });
  });
});
