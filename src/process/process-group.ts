// Owns the start and the end of every agent process: started by execa (the only importer
// of it) with no shell, the complete environment given, in a process group of its own;
// registered so herd can SIGKILL every agent group as it exits; and ended so nothing is
// left behind (group and tagged escapees killed, pipes drained within a bound).

import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { killTaggedProcesses, killTaggedProcessesNow, signalGroup } from './kill-tree.js';

export const DEFAULT_KILL_GRACE_MS = 5_000;
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
export const DEFAULT_STDERR_TAIL_BYTES = 4 * 1024;
/** After the process and its group are gone, how long its pipes may take to drain. */
const PIPE_DRAIN_MS = 2_000;

/** The parts of execa's subprocess herd uses (its full generic type is unwieldy). */
export type Subprocess = Pick<ChildProcess, 'exitCode' | 'signalCode' | 'once' | 'stdin' | 'stdout' | 'stderr' | 'ref' | 'unref'> & PromiseLike<unknown>;

export interface GroupSpawnOptions {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment (nothing else is inherited). */
  env: Record<string, string>;
  /** 'pipe' to write to the process; 'ignore' gives it no stdin at all. */
  stdin: 'pipe' | 'ignore';
  /** Its HERD_AGENT_TAG, so killAllAgentsNow also finds what it left in other sessions. */
  tag?: string;
}

export type GroupSpawn = { subprocess: Subprocess; pid: number } | { spawnError: string };

export interface ExitStatus {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** Process groups of agents still running (cold or warm) and their tags, so herd can end them all when it exits. */
const liveGroups = new Map<number, string | undefined>();

/**
 * SIGKILL every running agent's process group now, and every process carrying one of their
 * tags (children in sessions of their own): second Ctrl-C, or herd exiting. Returns how many
 * groups were running.
 */
export function killAllAgentsNow(): number {
  const groups = liveGroups.size;
  if (groups === 0) return 0;
  for (const pid of liveGroups.keys()) signalGroup(pid, 'SIGKILL');
  killTaggedProcessesNow([...liveGroups.values()].filter((tag): tag is string => tag !== undefined));
  return groups;
}

process.once('exit', killAllAgentsNow);

/** Start a process in a group of its own and register the group; a failed start is a value, not a throw. */
export async function spawnInOwnGroup(options: GroupSpawnOptions): Promise<GroupSpawn> {
  let subprocess;
  try {
    subprocess = startInOwnGroup(options);
  } catch (error) {
    // execa throws at once for what no process can be given (a NUL byte in an argument).
    return { spawnError: error instanceof Error ? error.message : String(error) };
  }
  const pid = subprocess.pid;
  if (pid === undefined) {
    const failed = await subprocess;
    return { spawnError: failed.shortMessage ?? failed.message ?? 'could not start the process' };
  }
  liveGroups.set(pid, options.tag);
  return { subprocess, pid };
}

function startInOwnGroup(options: GroupSpawnOptions) {
  return execa(options.file, options.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: options.stdin,
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    encoding: 'buffer',
    detached: true,
    cleanup: false,
    reject: false,
    windowsHide: true,
  });
}

export function waitForExit(subprocess: Subprocess): Promise<ExitStatus> {
  return new Promise((resolve) => {
    if (subprocess.exitCode !== null || subprocess.signalCode !== null) {
      resolve({ exitCode: subprocess.exitCode, signal: subprocess.signalCode });
      return;
    }
    subprocess.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
}

/**
 * After the process exited: whatever the agent left running (group members, tool processes
 * in their own sessions) goes now, the group is forgotten, and the pipes are drained.
 */
export async function endProcessGroup(subprocess: Subprocess, pid: number, tag: string): Promise<void> {
  signalGroup(pid, 'SIGKILL');
  await killTaggedProcesses(tag);
  liveGroups.delete(pid);
  await drainPipes(subprocess);
}

/** Wait for the rest of stdout/stderr; a descendant we could not find might hold them open, so bound it. */
async function drainPipes(subprocess: Subprocess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      resolve();
    }, PIPE_DRAIN_MS);
  });
  await Promise.race([
    subprocess.then(
      () => undefined,
      () => undefined,
    ),
    bound,
  ]);
  clearTimeout(timer);
}
