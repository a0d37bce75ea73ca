// Ending an agent completely: its process group, and the processes that left the group
// (claude's Bash tool runs commands in sessions of their own) found by the tag variable
// herd puts into every agent's environment, which their children inherit.

import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export const AGENT_TAG_VARIABLE = 'HERD_AGENT_TAG';

/** Signal a whole process group; false when it no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** One buffer reused for every /proc read: a sweep reads a few hundred small files. */
const scratch = Buffer.allocUnsafe(256 * 1024);

/**
 * Calls `visit` with each live process's environment (Linux /proc; nothing elsewhere); the
 * bytes are only valid during the call. Synchronous reads into one reused buffer on purpose:
 * /proc files live in memory, and promise-based open/fstat/read/close per process (or a fresh
 * 64 KiB buffer per readFileSync) costs many times the CPU. Newest first: a process that keeps
 * forking lives briefly at each pid, and is read soonest after the listing that named it.
 */
function visitEnvirons(visit: (pid: number, environ: Buffer) => void): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  const pids = entries.map(Number).filter((pid) => Number.isInteger(pid) && pid !== process.pid);
  pids.sort((a, b) => b - a);
  for (const pid of pids) {
    const environ = readEnviron(pid);
    if (environ) visit(pid, environ);
  }
}

/** The process's whole environment (the scratch buffer, or a copy when it holds more), or undefined when gone or not ours. */
function readEnviron(pid: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(`/proc/${pid}/environ`, 'r');
    const bytes = readSync(fd, scratch, 0, scratch.length, 0);
    // An environment larger than the buffer is rare; read it whole rather than miss a tag at its end.
    return bytes < scratch.length ? scratch.subarray(0, bytes) : readFileSync(`/proc/${pid}/environ`);
  } catch {
    // Gone already, or not ours to read.
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Does the NUL-separated environment hold the variable? (The first one has no NUL before it.) */
function hasVariable(environ: Buffer, needle: Buffer): boolean {
  return environ.includes(needle) || environ.subarray(0, needle.length - 1).equals(needle.subarray(1));
}

function tagNeedle(tag: string, prefix: boolean): Buffer {
  return Buffer.from(`\0${AGENT_TAG_VARIABLE}=${tag}${prefix ? '' : '\0'}`);
}

/**
 * Pids of live processes whose environment carries `HERD_AGENT_TAG=<tag>`. With `prefix`, any
 * tag starting with `tag` matches (all agents of a run: "<runId>/").
 */
export function findTaggedProcesses(tag: string, prefix = false): Promise<number[]> {
  const needle = tagNeedle(tag, prefix);
  const pids: number[] = [];
  visitEnvirons((pid, environ) => {
    if (hasVariable(environ, needle)) pids.push(pid);
  });
  return Promise.resolve(pids);
}

interface SweepRequest {
  needle: Buffer;
  resolve: (killed: number) => void;
}

/** A process that keeps forking is caught by a later pass; one that forks faster than that is bounded by its group. */
const MAX_SWEEP_PASSES = 20;

/**
 * Sweeps are batched: reading every process's environment costs ~10 ms, and when many agents
 * end together one scan serves them all. A request made while a scan runs waits for the next
 * scan, which starts after its agent ended, so nothing it left behind is missed.
 */
let waitingSweeps: SweepRequest[] = [];
let sweeping = false;

/**
 * SIGKILL every process carrying the tag; resolves with how many were found. What a pass finds
 * is frozen first (SIGSTOP, to it and its process group: a stopped process cannot fork, and a
 * group signal reaches a child forked at that moment too), and passes repeat until one finds
 * nothing new, so a process that keeps forking leaves no child behind; then all are killed.
 */
export function killTaggedProcesses(tag: string, prefix = false): Promise<number> {
  return new Promise((resolve) => {
    waitingSweeps.push({ needle: tagNeedle(tag, prefix), resolve });
    if (!sweeping) void runSweeps();
  });
}

async function runSweeps(): Promise<void> {
  sweeping = true;
  while (waitingSweeps.length > 0) {
    // Let agents that end in this same tick join the batch.
    await new Promise((resolve) => setImmediate(resolve));
    const batch = waitingSweeps;
    waitingSweeps = [];
    const killed = sweep(batch.map((request) => request.needle));
    batch.forEach((request, index) => request.resolve(killed[index]!));
  }
  sweeping = false;
}

/**
 * SIGKILL every process carrying one of the tags, now (synchronously: for herd's last moments,
 * a second Ctrl-C or its exit). Returns how many were found.
 */
export function killTaggedProcessesNow(tags: readonly string[]): number {
  if (tags.length === 0) return 0;
  return sweep(tags.map((tag) => tagNeedle(tag, false))).reduce((sum, count) => sum + count, 0);
}

/** Freeze-then-kill passes for these needles; how many processes each one matched. */
function sweep(needles: readonly Buffer[]): number[] {
  const found = needles.map(() => new Set<number>());
  const groups = new Set<number>();
  for (let pass = 0; pass < MAX_SWEEP_PASSES; pass++) {
    let fresh = 0;
    visitEnvirons((pid, environ) => {
      needles.forEach((needle, index) => {
        if (found[index]!.has(pid) || !hasVariable(environ, needle)) return;
        found[index]!.add(pid);
        fresh += 1;
        freeze(pid, groups);
      });
    });
    if (fresh === 0) break;
  }
  for (const group of groups) signalQuietly(-group, 'SIGKILL');
  for (const pids of found) for (const pid of pids) signalQuietly(pid, 'SIGKILL');
  return found.map((pids) => pids.size);
}

/** Stop a tagged process and, once, its process group (never herd's own). */
function freeze(pid: number, groups: Set<number>): void {
  signalQuietly(pid, 'SIGSTOP');
  const group = processGroupOf(pid);
  if (group === undefined || group <= 1 || group === ownGroup() || groups.has(group)) return;
  groups.add(group);
  signalQuietly(-group, 'SIGSTOP');
}

/** The process group id from /proc/<pid>/stat (the fifth field; the name in parentheses may hold spaces). */
function processGroupOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    return Number.isInteger(group) ? group : undefined;
  } catch {
    return undefined;
  }
}

let herdGroup: number | undefined;
const ownGroup = (): number => (herdGroup ??= processGroupOf(process.pid) ?? process.pid);

function signalQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Exited between the scan and the signal.
  }
}
