// Removing runs (`herd clean`). The path removed is built from a directory name listed
// under the real workspace root, never from what a record says; a symbolic link is never
// followed; and a run a live herd holds (its lock) is not touched. The directory is first
// renamed, under the lock, to a hidden name in the root: from that instant no herd can find
// or lock the run, and a crash during the removal leaves only that hidden name to finish.

import { randomBytes } from 'node:crypto';
import { lstat, readdir, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HerdError, UsageError } from '../errors.js';
import { classifyRunDir, RUN_FILE, type RunDirKind } from './run-dirs.js';
import { acquireLock, LOCK_FILE } from './run-lock.js';

/** Prefix of a run directory being removed; "." keeps it from ever being a run id. */
const REMOVING_PREFIX = '.herd-removing-';

export interface RemovedRun {
  home: string;
  /** 'debris': a run directory without a record (a herd killed or out of disk while creating it). */
  kind: Exclude<RunDirKind, 'other'>;
}

/** The workspace root with symbolic links resolved, or a UsageError when it does not exist. */
export async function realRoot(root: string): Promise<string> {
  try {
    return await realpath(path.resolve(root));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`no runs in ${path.resolve(root)} (it does not exist)`);
    throw new HerdError(`cannot read ${path.resolve(root)}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Remove the run directory `<root>/<name>` (a run, or debris of one). UsageError when it is not
 * a run directory, or a live herd holds it (its message says which process).
 */
export async function removeRun(root: string, name: string, beforeRemove?: (name: string) => Promise<void>): Promise<RemovedRun> {
  const base = await realRoot(root);
  const home = path.join(base, name);
  // One path component under the real root, not a symbolic link: nothing outside the root can be reached.
  if (path.dirname(home) !== base || name === '' || name.startsWith('.')) throw new UsageError(`"${name}" is not a run directory name`);
  const kind = await classifyRunDir(base, name);
  if (kind === 'other') throw new UsageError(`${home} is not a run directory (no run.json, events.jsonl or run.lock in it); not removed`);
  const release = await acquireLock(path.join(home, LOCK_FILE), {
    inUse: (owner) => `run ${name} is in use by herd process ${owner.pid}; not removed (wait until it finishes, or stop it first)`,
    missing: `unknown run id "${name}" in ${base}`,
  });
  try {
    // e.g. a repository run's worktrees, removed from the user's repository while the run is ours.
    await beforeRemove?.(name);
  } catch (error) {
    await release();
    throw error;
  }
  await removeLocked(base, name, release);
  return { home, kind };
}

/** Remove `<base>/<name>` while holding its lock (`release`): renamed out of sight first, then deleted. */
async function removeLocked(base: string, name: string, release: () => Promise<void>): Promise<void> {
  const home = path.join(base, name);
  const removing = path.join(base, `${REMOVING_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
  try {
    await rename(home, removing);
  } catch (error) {
    await release();
    throw new HerdError(`cannot remove ${home}: ${(error as Error).message}`, { cause: error });
  }
  // The lock went with the directory: nothing left to release.
  await removeTree(removing);
}

/**
 * The end of a run's creation (its lock was taken with the directory): a run that got its
 * record is unlocked; one that failed before its record was written (a full disk, a bad
 * setting found late) holds nothing of value and is removed, so no debris is left.
 */
export async function releaseCreatedRun(root: string, runId: string, release: () => Promise<void>): Promise<void> {
  const base = path.resolve(root);
  const recorded = await lstat(path.join(base, runId, RUN_FILE)).then(
    () => true,
    (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
  );
  if (recorded) await release();
  else await removeLocked(base, runId, release).catch(() => release());
}

/** Directories a removal was interrupted in (a crash, a full disk): finished by `herd clean --all`. */
export async function removeInterruptedRemovals(root: string): Promise<string[]> {
  const base = await realRoot(root);
  const finished: string[] = [];
  for (const name of await readdir(base)) {
    if (!name.startsWith(REMOVING_PREFIX)) continue;
    const dir = path.join(base, name);
    if (!(await lstat(dir)).isDirectory()) continue;
    await removeTree(dir);
    finished.push(dir);
  }
  return finished;
}

async function removeTree(dir: string): Promise<void> {
  try {
    // rm does not follow symbolic links inside the tree: it removes the links themselves.
    await rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch (error) {
    throw new HerdError(`cannot remove ${dir}: ${(error as Error).message}`, { cause: error });
  }
}
