// Agent worktrees: one per agent, on its own branch, added, reused or recreated at the start
// of a turn, and removed with their branches by `herd clean`. git keeps every worktree's
// admin directory under the repository's .git/worktrees; concurrent adds on one repository
// read each other's half-written entries (measured here: 30 at once, 3 failed with "failed to
// read .git/worktrees/<other>/commondir"), so adding entries and removing worktrees on one
// repository run one at a time in this process, and that error (or a held lock, from another
// process) is retried; the files of each worktree are then written in parallel.

import { realpath, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { git, gitText, GitError } from './git.js';

export type WorktreeState = 'created' | 'reused' | 'recreated';

export interface PreparedWorktree {
  state: WorktreeState;
  /** The branch tip the turn starts from. */
  head: string;
}

/** Work under a limit, by key: running now, and those waiting their turn (first come, first served). */
const gates = new Map<string, { running: number; waiting: Array<() => void> }>();

async function limited<T>(key: string, limit: number, work: () => Promise<T>): Promise<T> {
  let gate = gates.get(key);
  if (!gate) {
    gate = { running: 0, waiting: [] };
    gates.set(key, gate);
  }
  if (gate.running >= limit) await new Promise<void>((resolve) => gate.waiting.push(resolve));
  gate.running += 1;
  try {
    return await work();
  } finally {
    gate.running -= 1;
    const next = gate.waiting.shift();
    if (next) next();
    else if (gate.running === 0) gates.delete(key);
  }
}

/** Changes to one repository's worktree list, one at a time (see the note at the top). */
const oneAtATime = <T>(root: string, work: () => Promise<T>): Promise<T> => limited(`list:${root}`, 1, work);

/**
 * Writing worktrees' files: one per CPU core at a time, in the order agents asked. All at once,
 * each of 10 checkouts took as long as all of them and the first agent waited for the last;
 * this way the first ones are ready first, at the pace agents start (see pool/start-gate.ts).
 */
const CHECKOUTS_AT_ONCE = Math.max(1, os.availableParallelism());

const RETRYABLE = /failed to read .*commondir|\.lock': File exists|could not lock|unable to create .*\.lock/i;
const ATTEMPTS = 5;

/** Run `args`, again after a short pause when another process held a lock or wrote an entry half-way. */
async function gitRetrying(args: string[], cwd: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await git(args, { cwd });
      return;
    } catch (error) {
      if (!isRetryable(error, attempt)) throw error;
      await pause(attempt);
    }
  }
}

function isRetryable(error: unknown, attempt: number): boolean {
  return error instanceof GitError && attempt < ATTEMPTS && RETRYABLE.test(error.run.stderr);
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));

export interface WorktreeRequest {
  /** The user's repository (top of its work tree). */
  root: string;
  dir: string;
  branch: string;
  /** Where a new branch starts. */
  startSha: string;
}

/**
 * The agent's worktree, ready for a turn: the existing one; or, when its directory vanished,
 * a new one on its existing branch (its work so far is on it); or a new branch at `startSha`.
 * Only the entry in the repository's worktree list is made one at a time (`--no-checkout`,
 * milliseconds); writing the files, the slow part, runs for every agent at once, since each
 * worktree has its own index and files.
 */
export async function prepareWorktree(request: WorktreeRequest): Promise<PreparedWorktree> {
  const existing = await worktreeHead(request.dir);
  if (existing !== undefined) {
    // Made but never checked out (herd was killed in between): no agent has worked here yet.
    if (!(await hasIndex(request.dir))) await checkOut(request.dir);
    return { state: 'reused', head: existing };
  }
  const state = await oneAtATime(request.root, () => addEntry(request));
  await checkOut(request.dir);
  return { state, head: await gitText(['rev-parse', 'HEAD'], { cwd: request.dir }) };
}

/** The worktree's entry and branch, without its files. */
async function addEntry(request: WorktreeRequest): Promise<'created' | 'recreated'> {
  for (let attempt = 1; ; attempt += 1) {
    // Asked again on every attempt: an add that failed half-way may have made the branch already.
    const hasBranch = (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${request.branch}`], { cwd: request.root, allowFailure: true })).code === 0;
    try {
      if (!hasBranch) {
        await git(['worktree', 'add', '-q', '--no-checkout', '--no-track', '-b', request.branch, request.dir, request.startSha], { cwd: request.root });
        return 'created';
      }
      // Its old entry may still say the branch is checked out there; prune forgets entries whose directory is gone.
      await gitRetrying(['worktree', 'prune'], request.root);
      await git(['worktree', 'add', '-q', '--no-checkout', request.dir, request.branch], { cwd: request.root });
      const tip = await gitText(['rev-parse', `refs/heads/${request.branch}`], { cwd: request.root });
      return attempt > 1 && tip === request.startSha ? 'created' : 'recreated';
    } catch (error) {
      if (!isRetryable(error, attempt)) throw error;
      await pause(attempt);
    }
  }
}

/** Write the branch's files and the worktree's index (what `git worktree add` does after its entry). */
async function checkOut(dir: string): Promise<void> {
  await limited('checkout', CHECKOUTS_AT_ONCE, () => git(['reset', '-q', '--hard', 'HEAD'], { cwd: dir }));
}

async function hasIndex(dir: string): Promise<boolean> {
  const index = path.resolve(dir, await gitText(['rev-parse', '--git-path', 'index'], { cwd: dir }));
  return stat(index).then(
    () => true,
    () => false,
  );
}

/** HEAD of the worktree at `dir`, or undefined when `dir` is not (any more) a worktree of its own. */
async function worktreeHead(dir: string): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) return undefined;
  const run = await git(['rev-parse', '--show-toplevel', 'HEAD'], { cwd: dir, allowFailure: true });
  const [top, head] = run.stdout.trim().split('\n');
  // A plain directory inside the user's tree answers with the user's top: not a worktree of its own.
  if (run.code !== 0 || top === undefined || head === undefined || (await realpath(top)) !== (await realpath(dir))) return undefined;
  return head;
}

export interface RemovedWorktrees {
  worktrees: string[];
  branches: string[];
}

/**
 * `herd clean` of a run: remove its worktrees (those on its branches, or inside its run
 * directory), forget the stale entries, and delete its branches unless `keepBranches`.
 * Only refs under `branchPrefix` (herd/<runId>/) are ever deleted.
 */
export async function removeRunWorktrees(root: string, runHome: string, branchPrefix: string, keepBranches: boolean): Promise<RemovedWorktrees> {
  return oneAtATime(root, async () => {
    const homes = [path.resolve(runHome), await realpath(runHome).catch(() => path.resolve(runHome))];
    const removed: string[] = [];
    for (const entry of await listWorktrees(root)) {
      const ours = entry.branch?.startsWith(`refs/heads/${branchPrefix}`) === true || homes.some((home) => isInside(home, entry.path));
      if (!ours || entry.path === root) continue;
      const present = await stat(entry.path).then(
        () => true,
        () => false,
      );
      if (present) await gitRetrying(['worktree', 'remove', '--force', entry.path], root);
      removed.push(entry.path);
    }
    await gitRetrying(['worktree', 'prune'], root);
    const branches = keepBranches ? [] : await listBranches(root, branchPrefix);
    // Deleted as refs, one by one (update-ref -d checks each is a branch of this run).
    for (const branch of branches) await gitRetrying(['update-ref', '-d', `refs/heads/${branch}`], root);
    return { worktrees: removed, branches };
  });
}

/** Branches whose names start with `prefix` (e.g. herd/<runId>/). */
export async function listBranches(root: string, prefix: string): Promise<string[]> {
  const refs = await gitText(['for-each-ref', '--format=%(refname)', `refs/heads/${prefix}`], { cwd: root });
  return refs
    .split('\n')
    .filter((ref) => ref.startsWith(`refs/heads/${prefix}`))
    .map((ref) => ref.slice('refs/heads/'.length));
}

interface WorktreeEntry {
  path: string;
  branch?: string;
}

async function listWorktrees(root: string): Promise<WorktreeEntry[]> {
  const text = await gitText(['worktree', 'list', '--porcelain'], { cwd: root });
  const entries: WorktreeEntry[] = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    const worktree = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length);
    if (worktree === undefined) continue;
    const entry: WorktreeEntry = { path: worktree };
    const branch = lines.find((line) => line.startsWith('branch '))?.slice('branch '.length);
    if (branch !== undefined) entry.branch = branch;
    entries.push(entry);
  }
  return entries;
}

function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
