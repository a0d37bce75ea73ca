// `--copy <dir>`: for a directory that is not a git repository, each agent works in a copy of
// it (without .git and node_modules), and the copy becomes a private git repository of its
// own whose first commit is the directory as copied. Recording, diffs and apply then work as
// on a worktree: the copy's branch holds the agent's turns on top of that first commit.

import { cp, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { RepoRecord } from '../types.js';
import { git, gitText } from './git.js';
import { sanitizeRefPart } from './repository.js';
import type { PreparedWorktree } from './worktree.js';

/** Left out of every copy: another repository's internals, and installed dependencies (a setup command restores them). */
export const COPY_SKIPS = ['.git', 'node_modules'];

export async function openCopy(dir: string, runId: string): Promise<RepoRecord> {
  const root = path.resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--copy ${dir}: no such directory`);
  return { kind: 'copy', root, base: '(copy)', baseSha: '', dirty: false, includeDirty: false, branchPrefix: `herd/${sanitizeRefPart(runId)}/` };
}

export interface CopyRequest {
  source: string;
  dir: string;
  branch: string;
  /** The run's start: the first commit's date, so copies of the same directory get the same commit. */
  startedAt: string;
  /** Absolute paths never copied (the run's own directory, when it lies inside the source). */
  skip: string[];
}

export async function prepareCopy(request: CopyRequest): Promise<PreparedWorktree & { base: string }> {
  const existing = await git(['rev-parse', '--show-toplevel', 'HEAD'], { cwd: request.dir, allowFailure: true }).catch(() => undefined);
  const [top, head] = existing?.stdout.trim().split('\n') ?? [];
  if (existing?.code === 0 && top === request.dir && head !== undefined) {
    const base = await gitText(['rev-list', '--max-parents=0', 'HEAD'], { cwd: request.dir });
    return { state: 'reused', head, base: base.split('\n').at(-1)! };
  }
  const skipped = new Set(request.skip.map((file) => path.resolve(file)));
  await cp(request.source, request.dir, {
    recursive: true,
    verbatimSymlinks: true,
    filter: (from) => !COPY_SKIPS.includes(path.basename(from)) && !skipped.has(path.resolve(from)),
  });
  await git(['init', '-q', `--initial-branch=${request.branch}`], { cwd: request.dir });
  await git(['add', '-A'], { cwd: request.dir });
  const tree = await gitText(['write-tree'], { cwd: request.dir });
  const date = { GIT_AUTHOR_DATE: request.startedAt, GIT_COMMITTER_DATE: request.startedAt };
  const base = await gitText(['commit-tree', '--no-gpg-sign', tree, '-m', `herd: copy of ${request.source}`], {
    cwd: request.dir,
    env: { GIT_AUTHOR_NAME: 'herd', GIT_AUTHOR_EMAIL: 'herd@localhost', GIT_COMMITTER_NAME: 'herd', GIT_COMMITTER_EMAIL: 'herd@localhost', ...date },
  });
  await git(['update-ref', `refs/heads/${request.branch}`, base], { cwd: request.dir });
  return { state: 'created', head: base, base };
}
