// Which directories under the workspace root are runs, found by their names and the files
// herd writes there (never by ids read from file contents), and the check that a record's
// paths stay in its run's directory before herd acts on them.

import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import { HerdError } from '../errors.js';
import { validateId } from '../options.js';
import type { RunSummary } from '../types.js';
import { LOCK_FILE } from './run-lock.js';

export const RUN_FILE = 'run.json';
export const EVENTS_FILE = 'events.jsonl';

/**
 * 'run': holds run.json. 'debris': no run.json but files only herd writes in a run home (an
 * events log, a lock, a temp record or lock): left by a herd killed or out of disk while it
 * created the run. 'other': anything else (a bench's directory, the user's files): not ours.
 */
export type RunDirKind = 'run' | 'debris' | 'other';

/** Classify `<root>/<name>` without following symbolic links (a link is never a run). */
export async function classifyRunDir(root: string, name: string): Promise<RunDirKind> {
  if (!isRunName(name)) return 'other';
  const home = path.join(root, name);
  const stats = await lstat(home).catch(() => undefined);
  if (!stats?.isDirectory()) return 'other';
  let entries: string[];
  try {
    entries = await readdir(home);
  } catch {
    return 'other';
  }
  if (entries.includes(RUN_FILE)) return 'run';
  const herdFile = (entry: string) => entry === EVENTS_FILE || entry === LOCK_FILE || entry.startsWith(`${RUN_FILE}.`) || entry.startsWith(`${LOCK_FILE}.`);
  return entries.some(herdFile) ? 'debris' : 'other';
}

function isRunName(name: string): boolean {
  try {
    validateId('run id', name);
    return true;
  } catch {
    return false;
  }
}

/** Names of the run directories under `root` (of these kinds), sorted. */
export async function runDirNames(root: string, kinds: readonly RunDirKind[] = ['run']): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root);
  } catch {
    return [];
  }
  const kindOf = await Promise.all(names.map((name) => classifyRunDir(root, name)));
  return names.filter((_, index) => kinds.includes(kindOf[index]!)).sort();
}

/**
 * Before herd runs agents of a stored record (resume, continue): every agent workspace and the
 * Claude config directory must be inside this run's own directory, after symbolic links are
 * followed. A crafted record must not make herd use /etc (or another run's files) as a cwd.
 */
export async function checkRunPaths(root: string, runId: string, summary: RunSummary): Promise<void> {
  const home = await realpath(path.join(path.resolve(root), runId)).catch((error: unknown) => {
    throw new HerdError(`cannot read the run directory of ${runId}: ${(error as Error).message}`, { cause: error });
  });
  const paths = new Map<string, string>();
  for (const agent of [...summary.agents, ...summary.turns.flatMap((turn) => turn.agents)]) {
    // A workspace on a queue worker's machine is never used here: that worker checks it against its own root.
    if (agent.worker === undefined) paths.set(agent.workspace, `agent ${agent.id}'s workspace`);
  }
  if (summary.claudeConfigDir !== undefined) paths.set(summary.claudeConfigDir, 'the Claude config directory');
  for (const [recorded, what] of paths) {
    const real = await realpathOfNearest(recorded);
    if (!real.startsWith(home + path.sep))
      throw new HerdError(`run ${runId}: ${what} ${JSON.stringify(recorded)} is outside the run's directory ${home}; refusing to use the record`);
  }
}

/** realpath of `file`, or of its nearest existing ancestor joined with the rest (a path not made yet). */
async function realpathOfNearest(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const rest: string[] = [];
  for (let current = absolute; ; current = path.dirname(current)) {
    try {
      return path.join(await realpath(current), ...rest);
    } catch {
      if (path.dirname(current) === current) return absolute;
      rest.unshift(path.basename(current));
    }
  }
}
