// Opening the user's repository for a run, once, before anything is created: the directory
// must be inside a git work tree, the base must name a commit (resolved to its sha and
// recorded), the user's uncommitted changes are noticed (and with includeDirty carried in a
// commit made through a temporary index: the user's index and files are never touched), and
// the identity herd commits with is chosen. Bad input is a UsageError (exit 2).

import { appendFile, copyFile, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { RepoRecord } from '../types.js';
import { git, gitText } from './git.js';

/** Who herd's commits are by when the user has no git identity. */
export const HERD_IDENTITY = { name: 'herd', email: 'herd@localhost' };

export interface OpenedRepository {
  record: RepoRecord;
  /** One line for the user, e.g. that uncommitted changes were left out. */
  note?: string;
}

export interface OpenRepositoryOptions {
  dir: string;
  base?: string;
  includeDirty?: boolean;
  runId: string;
  /** Where the run's worktrees will live: left out of "uncommitted changes" when it is inside the repository. */
  workspaceRoot: string;
}

export async function openRepository(options: OpenRepositoryOptions): Promise<OpenedRepository> {
  const root = await workTreeTop(options.dir);
  const base = options.base ?? 'HEAD';
  const baseSha = await resolveCommit(root, base, '--base');
  const ownDir = await insideOf(root, options.workspaceRoot);
  const changes = await uncommittedChanges(root, ownDir);
  const record: RepoRecord = {
    kind: 'worktree',
    root,
    base,
    baseSha,
    dirty: changes.length > 0,
    includeDirty: options.includeDirty === true,
    branchPrefix: `herd/${sanitizeRefPart(options.runId)}/`,
  };
  if (!record.dirty) return { record };
  if (!options.includeDirty) {
    return {
      record,
      note: `${root} has uncommitted changes (${describeCount(changes.length)}); agents start from ${base} (${baseSha.slice(0, 12)}) without them (--include-dirty carries them)`,
    };
  }
  const head = await resolveCommit(root, 'HEAD', '--include-dirty');
  if (head !== baseSha)
    throw new UsageError(`--include-dirty: uncommitted changes sit on HEAD (${head.slice(0, 12)}), not on --base ${base}; leave out one of them`);
  record.baseSha = await snapshotWorkTree(root, head, ownDir, options.runId);
  return {
    record,
    note: `agents start from ${base} plus your uncommitted changes (${describeCount(changes.length)}), in commit ${record.baseSha.slice(0, 12)}`,
  };
}

/** The top of the work tree `dir` is in; a UsageError saying how to get one otherwise. */
async function workTreeTop(dir: string): Promise<string> {
  const absolute = path.resolve(dir);
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`--repo ${dir}: no such directory`);
  const run = await git(['rev-parse', '--show-toplevel'], { cwd: absolute, allowFailure: true });
  const top = run.stdout.trim();
  if (run.code !== 0 || top === '')
    throw new UsageError(
      `--repo ${dir}: not inside a git work tree (start one with: git init && git add -A && git commit -m start; or give --copy ${dir} to work on copies)`,
    );
  return realpath(top);
}

/** `ref` as a commit sha, or a UsageError naming the flag. */
export async function resolveCommit(root: string, ref: string, flag: string): Promise<string> {
  const run = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], { cwd: root, allowFailure: true });
  const sha = run.stdout.trim();
  if (run.code !== 0 || !/^[0-9a-f]{40,64}$/.test(sha)) {
    const empty = ref === 'HEAD' && (await git(['rev-parse', '--verify', '--quiet', 'HEAD'], { cwd: root, allowFailure: true })).code !== 0;
    throw new UsageError(
      empty ? `${flag}: ${root} has no commit yet (commit something first: agents start from a commit)` : `${flag} ${ref}: not a commit in ${root}`,
    );
  }
  return sha;
}

/** `inner` relative to `root` when it lies inside it (both through real paths), else undefined. */
export async function insideOf(root: string, inner: string): Promise<string | undefined> {
  const real = await realpathOfExistingPart(path.resolve(inner));
  const relative = path.relative(root, real);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? undefined : relative;
}

/** realpath of the longest existing prefix, with the rest appended (the workspace root may not exist yet). */
async function realpathOfExistingPart(file: string): Promise<string> {
  const rest: string[] = [];
  for (let current = file; ; current = path.dirname(current)) {
    try {
      return path.join(await realpath(current), ...rest.reverse());
    } catch {
      if (path.dirname(current) === current) return file;
      rest.push(path.basename(current));
    }
  }
}

/** Paths with uncommitted changes (tracked or untracked, .gitignore respected), herd's own directory left out. */
async function uncommittedChanges(root: string, ownDir: string | undefined): Promise<string[]> {
  const status = await gitText(['status', '--porcelain=v1', '-z', '--untracked-files=normal'], { cwd: root });
  const own = ownDir === undefined ? undefined : ownDir.split(path.sep).join('/');
  return status
    .split('\0')
    .filter((entry) => entry.length > 3)
    .map((entry) => entry.slice(3))
    .filter((file) => own === undefined || !(file === own || file === `${own}/` || file.startsWith(`${own}/`) || `${own}/`.startsWith(file)));
}

/**
 * A commit of the work tree as it is (tracked and untracked files, .gitignore respected) on
 * top of HEAD, built in a temporary index: the user's index and files stay as they are.
 */
async function snapshotWorkTree(root: string, head: string, ownDir: string | undefined, runId: string): Promise<string> {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'herd-index-'));
  const env = { GIT_INDEX_FILE: path.join(temp, 'index') };
  try {
    // A copy of the user's index (read, never written) keeps git's stat cache: only changed files are hashed.
    const userIndex = path.resolve(root, await gitText(['rev-parse', '--git-path', 'index'], { cwd: root }));
    if (
      !(await copyFile(userIndex, env.GIT_INDEX_FILE).then(
        () => true,
        () => false,
      ))
    )
      await git(['read-tree', head], { cwd: root, env });
    await git(['add', '-A', '--', '.'], { cwd: root, env });
    // herd's own runs are no part of the user's changes (an exclude pathspec would fail once they are ignored).
    if (ownDir !== undefined) await git(['rm', '-r', '-q', '--cached', '--ignore-unmatch', '--', ownDir.split(path.sep).join('/')], { cwd: root, env });
    const tree = await gitText(['write-tree'], { cwd: root, env });
    const identity = await commitIdentity(root);
    return await gitText(['commit-tree', '--no-gpg-sign', tree, '-p', head, '-m', `herd: uncommitted changes at the start of run ${runId}`], {
      cwd: root,
      env: identity,
    });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * The identity herd's commits carry: none added when the user has a name and an email in
 * git's config (git uses theirs), else herd's own, so a commit never fails for want of one.
 */
export async function commitIdentity(root: string): Promise<Record<string, string>> {
  const [name, email] = await Promise.all(
    ['user.name', 'user.email'].map(async (key) => (await git(['config', '--get', key], { cwd: root, allowFailure: true })).stdout.trim()),
  );
  if (name && email) return {};
  return herdIdentityEnv(name, email);
}

/** herd's identity as git's variables, keeping the half of the user's that is set. */
export function herdIdentityEnv(name = '', email = ''): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: name || HERD_IDENTITY.name,
    GIT_AUTHOR_EMAIL: email || HERD_IDENTITY.email,
    GIT_COMMITTER_NAME: name || HERD_IDENTITY.name,
    GIT_COMMITTER_EMAIL: email || HERD_IDENTITY.email,
  };
}

/**
 * When the run directory lies inside the user's work tree (the default ./workspaces run from
 * the repository's top), list it in the repository's info/exclude so `git status` stays clean.
 * Nothing is written when it is already ignored or lies outside.
 */
/** The repository's own .git directory (a worktree's .git is only a pointer to it): where a worktree's commits are written. */
export async function gitCommonDir(root: string): Promise<string> {
  return path.resolve(root, await gitText(['rev-parse', '--git-common-dir'], { cwd: root }));
}

export async function excludeFromStatus(root: string, workspaceRoot: string): Promise<void> {
  const relative = await insideOf(root, workspaceRoot);
  if (relative === undefined) return;
  const posix = relative.split(path.sep).join('/');
  const ignored = await git(['check-ignore', '-q', '--', `${posix}/herd-probe`], { cwd: root, allowFailure: true });
  if (ignored.code === 0) return;
  const excludeFile = path.resolve(root, await gitText(['rev-parse', '--git-path', 'info/exclude'], { cwd: root }));
  const existing = await readFile(excludeFile, 'utf8').catch(() => '');
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await appendFile(excludeFile, `${separator}# herd: agent worktrees and run records (herd --repo)\n/${posix}/\n`);
}

/**
 * A run or agent id as one part of a branch name: ids are letters, digits, ".", "_" and "-"
 * already; git also refuses a part ending in "." or ".lock".
 */
export function sanitizeRefPart(id: string): string {
  return id.replace(/\.lock$/i, '-lock').replace(/\.+$/, (dots) => '-'.repeat(dots.length));
}

/** git agrees that `branch` is a valid branch name. */
export async function isValidBranchName(root: string, branch: string): Promise<boolean> {
  return (await git(['check-ref-format', '--branch', branch], { cwd: root, allowFailure: true })).code === 0;
}

function describeCount(count: number): string {
  return `${count} path${count === 1 ? '' : 's'}`;
}
