// Ending an agent completely: its process group, and the processes that left the group
// (claude's Bash tool runs commands in sessions of their own) found by the tag variable
// herd puts into every agent's environment, which their children inherit.

import { readdir, readFile } from 'node:fs/promises';

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

/** Each live process's environment (Linux /proc; empty elsewhere), read in parallel. */
async function readEnvirons(): Promise<Array<{ pid: number; environ: Buffer }>> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: Array<{ pid: number; environ: Buffer }> = [];
  await Promise.all(
    entries.map(async (entry) => {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) return;
      try {
        // A leading NUL lets every variable, the first one included, be matched as "\0NAME=".
        found.push({ pid, environ: Buffer.concat([NUL, await readFile(`/proc/${pid}/environ`)]) });
      } catch {
        // Gone already, or not ours to read.
      }
    }),
  );
  return found;
}

const NUL = Buffer.from([0]);

function tagNeedle(tag: string, prefix: boolean): Buffer {
  return Buffer.from(`\0${AGENT_TAG_VARIABLE}=${tag}${prefix ? '' : '\0'}`);
}

/**
 * Pids of live processes whose environment carries `HERD_AGENT_TAG=<tag>`. With `prefix`, any
 * tag starting with `tag` matches (all agents of a run: "<runId>/").
 */
export async function findTaggedProcesses(tag: string, prefix = false): Promise<number[]> {
  const needle = tagNeedle(tag, prefix);
  return (await readEnvirons()).filter(({ environ }) => environ.includes(needle)).map(({ pid }) => pid);
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
    const batch = waitingSweeps;
    waitingSweeps = [];
    const environs = await readEnvirons();
    for (const request of batch) {
      const pids = environs.filter(({ environ }) => environ.includes(request.needle)).map(({ pid }) => pid);
      for (const pid of pids) killQuietly(pid);
      request.resolve(pids.length);
    }
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
