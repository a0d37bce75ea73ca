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

/**
 * Pids of live processes whose environment carries `HERD_AGENT_TAG=<tag>` (Linux /proc; empty
 * elsewhere). With `prefix`, any tag starting with `tag` matches (all agents of a run: "<runId>/").
 */
export async function findTaggedProcesses(tag: string, prefix = false): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`\0${AGENT_TAG_VARIABLE}=${tag}${prefix ? '' : '\0'}`);
  const found: number[] = [];
  await Promise.all(
    entries.map(async (entry) => {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || pid === process.pid) return;
      try {
        const environ = Buffer.concat([Buffer.from([0]), await readFile(`/proc/${pid}/environ`)]);
        if (environ.includes(needle)) found.push(pid);
      } catch {
        // Gone already, or not ours to read.
      }
    }),
  );
  return found;
}

/** SIGKILL every tagged process; returns how many were found. */
export async function killTaggedProcesses(tag: string, prefix = false): Promise<number> {
  const pids = await findTaggedProcesses(tag, prefix);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Exited between the scan and the kill.
    }
  }
  return pids.length;
}
