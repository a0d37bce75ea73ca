// Ending an agent completely: its process group, and the processes that left the group
// (claude's Bash tool runs commands in sessions of their own) found by the tag variable
// herd puts into every agent's environment, which their children inherit.

import { closeSync, openSync, readdirSync, readSync } from 'node:fs';

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
 * 64 KiB buffer per readFileSync) costs many times the CPU.
 */
function visitEnvirons(visit: (pid: number, environ: Buffer) => void): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let fd: number | undefined;
    try {
      fd = openSync(`/proc/${pid}/environ`, 'r');
      visit(pid, scratch.subarray(0, readSync(fd, scratch, 0, scratch.length, 0)));
    } catch {
      // Gone already, or not ours to read.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
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

/**
 * Sweeps are batched: reading every process's environment costs ~10 ms, and when many agents
 * end together one scan serves them all. A request made while a scan runs waits for the next
 * scan, which starts after its agent ended, so nothing it left behind is missed.
 */
let waitingSweeps: SweepRequest[] = [];
let sweeping = false;

/** SIGKILL every process carrying the tag; resolves with how many were found. */
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
    const found = batch.map(() => [] as number[]);
    visitEnvirons((pid, environ) => {
      batch.forEach((request, index) => {
        if (hasVariable(environ, request.needle)) found[index]!.push(pid);
      });
    });
    batch.forEach((request, index) => {
      for (const pid of found[index]!) killQuietly(pid);
      request.resolve(found[index]!.length);
    });
  }
  sweeping = false;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Exited between the scan and the kill.
  }
}
