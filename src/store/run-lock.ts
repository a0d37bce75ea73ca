// One herd at a time works on a run: two `herd continue` on the same run would each rewrite
// run.json from their own copy and a turn would be lost; two `herd resume` would run every
// agent twice. The lock is the file run.lock in the run home.
//
// Why it is built this way:
// - The lock is written whole to a temp file and link()ed into place: link fails if the name
//   exists, and a reader never sees a half-written (empty) lock.
// - It names its owner by pid AND start time (/proc/<pid>/stat field 22): after a SIGKILL the
//   pid may belong to an unrelated live process, which must not block the run for good.
// - A stale lock (owner dead) is replaced only by the one process that created
//   `run.lock.takeover-<token of that lock>` (link again: exactly one creator), and only if
//   run.lock still is that very lock; the replacement is a rename, atomic. Deleting a stale
//   lock and then linking a new one would let a slow racer delete the new one.
//   A taker that died inside that short section leaves its takeover file behind: that file
//   is itself a stale lock and is taken over the same way, one level down.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HerdError, UsageError } from '../errors.js';
import { describeFsError } from '../workspace/workspace.js';

export const LOCK_FILE = 'run.lock';
const PRIVATE_FILE_MODE = 0o600;
/** Link attempts before giving up: each lost race means another process made progress. */
const MAX_ATTEMPTS = 200;
/** Dead takers in a row that are taken over (each level needs a process killed inside a few syscalls). */
const MAX_TAKEOVER_DEPTH = 4;

export interface LockOwner {
  pid: number;
  /** /proc/<pid>/stat field 22 (clock ticks after boot); '' where there is no /proc. */
  startTime: string;
  token: string;
}

interface SeenLock {
  text: string;
  ino: number;
  owner: LockOwner | undefined;
}

/**
 * Take the run's lock, taking over one whose owner is dead. Throws a UsageError naming the
 * owner when a live herd holds it. Resolves to the release.
 */
export async function lockRun(root: string, runId: string): Promise<() => Promise<void>> {
  const file = path.join(path.resolve(root), runId, LOCK_FILE);
  return acquireLock(file, {
    inUse: (owner) => `run ${runId} is in use by herd process ${owner.pid}${owner.pid === process.pid ? ' (this one)' : ''}; wait until it finishes`,
    missing: `unknown run id "${runId}" (no ${path.dirname(file)}); see \`herd runs\``,
  });
}

/** Whether a live process holds the lock of this run home (a stale or missing lock is not held). */
export async function lockHolder(runHome: string): Promise<LockOwner | undefined> {
  const seen = await readLock(path.join(runHome, LOCK_FILE));
  return seen?.owner && ownerAlive(seen.owner) ? seen.owner : undefined;
}

export interface LockMessages {
  /** A live process holds the lock. */
  inUse: (owner: LockOwner) => string;
  /** The directory of the lock does not exist. */
  missing: string;
}

/** Take the lock at `file` (see the top of this file); UsageErrors with `messages` when it is held or has no directory. */
export async function acquireLock(file: string, messages: LockMessages): Promise<() => Promise<void>> {
  const text = ownLockText();
  try {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      if (await placeByLink(file, text)) return () => releaseLock(file, text);
      const seen = await readLock(file);
      if (!seen) continue; // released between our link and our read: try again
      if (seen.owner && ownerAlive(seen.owner)) throw new UsageError(messages.inUse(seen.owner));
      if (await takeOver(file, seen, text, 0)) return () => releaseLock(file, text);
      // Another process is taking it over right now: let it finish, then look again.
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10));
    }
  } catch (error) {
    if (error instanceof NoDirectoryError) throw new UsageError(messages.missing);
    throw error;
  }
  throw new HerdError(`cannot lock ${file}: other processes keep taking it`);
}

/** The lock's directory (the run home) does not exist. */
class NoDirectoryError extends Error {}

/** Create `file` holding `text`, whole, unless it exists. ENOENT (no run home) is the caller's mistake. */
async function placeByLink(file: string, text: string): Promise<boolean> {
  const temp = await writeTemp(file, text);
  try {
    await link(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') throw new NoDirectoryError();
    throw new HerdError(`cannot lock ${file}: ${describeFsError(error)}`, { cause: error });
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Replace the stale lock `seen` at `file` with ours. True when we hold `file` now; false when
 * another process is taking it over or already did (the caller looks again).
 */
async function takeOver(file: string, seen: SeenLock, text: string, depth: number): Promise<boolean> {
  const marker = `${file}.takeover-${identity(seen)}`;
  if (!(await placeByLink(marker, text))) {
    if (depth >= MAX_TAKEOVER_DEPTH) return false;
    const taker = await readLock(marker);
    // A live taker is finishing; a dead one left its marker: take the marker over first.
    if (!taker || (taker.owner && ownerAlive(taker.owner))) return false;
    if (!(await takeOver(marker, taker, text, depth + 1))) return false;
  }
  try {
    // Only the marker's holder may replace this lock, so if it still is `seen` it stays so until our rename.
    const current = await readLock(file);
    if (!current || current.ino !== seen.ino || current.text !== seen.text) return false;
    const temp = await writeTemp(file, text);
    try {
      await rename(temp, file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw new HerdError(`cannot lock ${file}: ${describeFsError(error)}`, { cause: error });
    }
    return true;
  } finally {
    // Once `seen` is gone its marker guards nothing: a late racer that creates it again finds `seen` gone.
    await unlink(marker).catch(() => undefined);
  }
}

/** Remove the lock only if it still is ours (it cannot have changed hands while we live, but never delete another's). */
async function releaseLock(file: string, text: string): Promise<void> {
  const seen = await readLock(file);
  if (seen?.text === text) await unlink(file).catch(() => undefined);
}

async function writeTemp(file: string, text: string): Promise<string> {
  const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  } catch (error) {
    // A full disk leaves the empty temp file behind: remove it.
    await unlink(temp).catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new NoDirectoryError();
    throw new HerdError(`cannot lock ${file}: ${describeFsError(error)}`, { cause: error });
  }
  return temp;
}

/** The lock's text and inode, read from one open file so the two belong together. */
async function readLock(file: string): Promise<SeenLock | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HerdError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { ino } = await handle.stat();
    const text = await handle.readFile('utf8');
    return { text, ino, owner: parseOwner(text) };
  } finally {
    await handle.close();
  }
}

/** "<pid> <start time or -> <token>"; a lock from before start times ("<pid>") still names its pid. */
export function parseOwner(text: string): LockOwner | undefined {
  const match = /^(\d+)(?: (\d+|-) ([0-9a-f]+))?\n?$/.exec(text);
  if (!match) return undefined;
  const pid = Number(match[1]);
  if (!(pid > 0)) return undefined;
  return { pid, startTime: match[2] === undefined || match[2] === '-' ? '' : match[2], token: match[3] ?? '' };
}

/** A fresh token each time: a takeover marker names the one lock it replaces. */
function ownLockText(): string {
  return `${process.pid} ${processStartTime(process.pid) || '-'} ${randomBytes(8).toString('hex')}\n`;
}

/** Names a takeover marker after the lock it replaces: the lock's token, or its inode for a lock without one. */
function identity(seen: SeenLock): string {
  return seen.owner?.token || `i${seen.ino}`;
}

/** Alive and the same process that wrote the lock (not a later process that got its pid). */
export function ownerAlive(owner: LockOwner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = readProcStat(owner.pid);
  if (stat === undefined) return true; // no /proc: the pid is all we can go by
  if (stat.state === 'Z' || stat.state === 'X') return false; // killed, not yet reaped
  return owner.startTime === '' || stat.startTime === owner.startTime;
}

/** Field 22 of /proc/<pid>/stat, '' when it cannot be read. */
export function processStartTime(pid: number): string {
  return readProcStat(pid)?.startTime ?? '';
}

function readProcStat(pid: number): { state: string; startTime: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (the command name, in parentheses) may hold spaces and ")": split after the last ")".
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so field 22 is fields[19].
  const startTime = fields[19];
  return startTime === undefined ? undefined : { state: fields[0] ?? '', startTime };
}
