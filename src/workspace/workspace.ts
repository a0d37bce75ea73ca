// Agent workspaces on disk: the run home (workspaces/<runId>/), one private directory
// per agent inside it (0700, kept after the run: Claude sessions are bound to their cwd),
// files seeded into them, and removal. The only importer of tmp-promise and fs-extra.

import fs from 'fs-extra';
import path from 'node:path';
import { dir as createTmpDir } from 'tmp-promise';
import { HerdError, UsageError } from '../errors.js';

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

/** Create `<root>/<runId>` (it must not exist yet), readable only by the user. */
export async function createRunHome(root: string, runId: string): Promise<string> {
  const home = path.join(path.resolve(root), runId);
  try {
    await makeDirectories(path.resolve(root));
    await fs.mkdir(home, { mode: PRIVATE_DIR_MODE });
    await fs.access(home, fs.constants.W_OK);
  } catch (error) {
    // A new run never takes over an existing one's directory (its record would be overwritten).
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UsageError(`run id "${runId}" is already used in ${path.resolve(root)}; choose another, or continue/resume that run`);
    // Nothing has started yet, so this is bad input (exit 2), not a failed run.
    throw new UsageError(`cannot create the run directory ${home}: ${describeFsError(error)} (choose a writable --workspace-root or HERD_HOME)`);
  }
  return home;
}

/**
 * mkdir -p, one level at a time. Node's recursive mkdir (and fs-extra's ensureDir on top of it)
 * spins forever on a path under /proc (e.g. --workspace-root /proc/x): seen on Node 20 here.
 */
async function makeDirectories(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let current = dir; !(await fs.pathExists(current)); current = path.dirname(current)) {
    missing.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const level of missing) {
    await fs.mkdir(level).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

/** A fresh private directory for one agent, named after it, kept after the run. */
export async function createAgentWorkspace(runHome: string, agentId: string): Promise<string> {
  try {
    const created = await createTmpDir({ tmpdir: runHome, name: agentId, mode: PRIVATE_DIR_MODE, keep: true });
    return created.path;
  } catch (error) {
    throw new HerdError(`cannot create the workspace for ${agentId} in ${runHome}: ${describeFsError(error)}`, { cause: error });
  }
}

/** A private directory (0700) inside a run home, e.g. the Claude config dir of a simulated run. */
export async function createPrivateDirectory(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new HerdError(`cannot create ${dir}: ${describeFsError(error)}`, { cause: error });
  }
}

/** Write `files` (relative path -> content) into a workspace; no path may leave it. */
export async function seedFiles(workspace: string, files: Record<string, string>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const target = resolveInside(workspace, relative);
    await fs.outputFile(target, content, { mode: PRIVATE_FILE_MODE });
  }
}

/** Resolve `relative` inside `base`, refusing absolute paths and `..` escapes. */
export function resolveInside(base: string, relative: string): string {
  const target = path.resolve(base, relative);
  if (path.isAbsolute(relative) || relative.includes('\0') || !target.startsWith(path.resolve(base) + path.sep)) {
    throw new UsageError(`file path "${relative}" must stay inside the workspace`);
  }
  return target;
}

/** Undo createRunHome when the run could not even be locked (a full disk): the directory is new and only ours. */
export async function removeEmptyRunHome(runHome: string): Promise<void> {
  await fs.remove(runHome).catch(() => undefined);
}

export async function pathExists(file: string): Promise<boolean> {
  return fs.pathExists(file);
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOSPC':
      return 'the disk is full';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'EEXIST':
      return 'it already exists';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
