import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { excludeFromStatus, openRepository, sanitizeRefPart } from '../../src/repo/repository.js';
import { makeTempDir } from '../helpers.js';
import { gitIn, makeRepo, writeFiles } from './git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
beforeEach(async () => {
  temp = await makeTempDir('herd-repository-');
  root = path.join(temp.path, 'project');
  base = await makeRepo(root, { 'app.js': 'one\n', 'src/lib.js': 'lib\n' });
});
afterEach(async () => {
  await temp.cleanup();
});

const open = (options: { dir?: string; base?: string; includeDirty?: boolean } = {}) =>
  openRepository({ dir: options.dir ?? path.join(root, 'src'), runId: 'r1', workspaceRoot: path.join(root, 'workspaces'), ...options });

describe('opening the repository of a run', () => {
  it('finds the top of the work tree from a directory inside it and resolves the base once', async () => {
    gitIn(root, ['tag', 'v1']);
    const { record, note } = await open({ base: 'v1' });
    expect(record).toEqual({ kind: 'worktree', root, base: 'v1', baseSha: base, dirty: false, includeDirty: false, branchPrefix: 'herd/r1/' });
    expect(note).toBeUndefined();
  });

  it('refuses a directory that is not in a git work tree, an unknown base and a repository without commits, each in one line', async () => {
    await expect(open({ dir: temp.path })).rejects.toThrow(/not inside a git work tree \(start one with: git init/);
    await expect(open({ dir: path.join(temp.path, 'nope') })).rejects.toThrow(/no such directory/);
    await expect(open({ base: 'no-such-branch' })).rejects.toThrow(new UsageError(`--base no-such-branch: not a commit in ${root}`));
    await expect(open({ base: '--output=/tmp/x' })).rejects.toThrow(/not a commit/);
    const empty = path.join(temp.path, 'empty');
    gitIn(temp.path, ['init', '-q', empty]);
    await expect(open({ dir: empty })).rejects.toThrow(/has no commit yet/);
  });

  it('notices uncommitted changes and says the agents start without them (the run directory itself does not count)', async () => {
    await writeFile(path.join(root, 'app.js'), 'changed\n');
    await writeFiles(path.join(root, 'workspaces'), { 'other-run/run.json': '{}' });
    const { record, note } = await open();
    expect(record.dirty).toBe(true);
    expect(record.baseSha).toBe(base);
    expect(note).toMatch(/has uncommitted changes \(1 path\); agents start from HEAD \([0-9a-f]{12}\) without them \(--include-dirty carries them\)/);
  });

  it("with includeDirty, carries tracked and untracked changes in a commit on top of HEAD, leaving the user's index and files alone", async () => {
    await writeFile(path.join(root, 'app.js'), 'changed\n');
    await writeFiles(root, { 'new.txt': 'untracked\n' });
    gitIn(root, ['add', 'app.js']);
    const statusBefore = gitIn(root, ['status', '--porcelain']);
    const { record, note } = await open({ includeDirty: true });
    expect(record.baseSha).not.toBe(base);
    expect(gitIn(root, ['rev-parse', `${record.baseSha}^`])).toBe(base);
    expect(gitIn(root, ['show', `${record.baseSha}:app.js`])).toBe('changed');
    expect(gitIn(root, ['show', `${record.baseSha}:new.txt`])).toBe('untracked');
    expect(note).toContain('plus your uncommitted changes (2 paths)');
    expect(gitIn(root, ['status', '--porcelain'])).toBe(statusBefore);
    expect(gitIn(root, ['rev-parse', 'HEAD'])).toBe(base);
  });

  it('lists the run directory in info/exclude once when it lies inside the work tree', async () => {
    const workspaces = path.join(root, 'workspaces');
    await writeFiles(workspaces, { 'r1/run.json': '{}' });
    expect(gitIn(root, ['status', '--porcelain'])).toBe('?? workspaces/');
    await excludeFromStatus(root, workspaces);
    await excludeFromStatus(root, workspaces);
    expect(gitIn(root, ['status', '--porcelain'])).toBe('');
    expect((await readFile(path.join(root, '.git/info/exclude'), 'utf8')).match(/^\/workspaces\/$/gm)).toHaveLength(1);
    // Outside the work tree: nothing written.
    await excludeFromStatus(root, path.join(temp.path, 'elsewhere'));
    expect((await readFile(path.join(root, '.git/info/exclude'), 'utf8')).match(/^# herd/gm)).toHaveLength(1);
  });

  it('makes ids valid branch name parts', () => {
    expect(sanitizeRefPart('agent-1')).toBe('agent-1');
    expect(sanitizeRefPart('fix.lock')).toBe('fix-lock');
    expect(sanitizeRefPart('v2.')).toBe('v2-');
  });
});
