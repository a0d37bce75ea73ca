// `herd diff`: an agent's change against where it started, as git prints it (colour on a
// terminal), or per agent as numbers for a side-by-side table. The branches live in the
// user's repository (worktree runs) or in each copy's private repository (--copy runs).

import { numstat, type DiffStat } from './change.js';
import { git } from './git.js';

export async function diffText(cwd: string, start: string, branch: string, options: { stat: boolean; color: boolean }): Promise<string> {
  const args = ['diff', options.color ? '--color=always' : '--no-color', ...(options.stat ? ['--stat'] : []), '--no-ext-diff', start, branch, '--'];
  return (await git(args, { cwd })).stdout;
}

/** The change between `start` and the branch tip; undefined when the branch is gone. */
export async function diffStat(cwd: string, start: string, branch: string): Promise<DiffStat | undefined> {
  const exists = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd, allowFailure: true }).catch(() => undefined);
  if (exists?.code !== 0) return undefined;
  return numstat(cwd, start, branch);
}

export async function branchExists(cwd: string, branch: string): Promise<boolean> {
  const run = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { cwd, allowFailure: true }).catch(() => undefined);
  return run?.code === 0;
}
