// `herd apply`: bring an agent's branch into the user's current branch, the way the user
// would by hand (git merge, or git merge --squash and a commit), or for a --copy run apply
// its patch to the directory. It refuses a detached HEAD and a tree with uncommitted
// changes; on a conflict it aborts (the repository is as it was) and names the files.
// Nothing is ever forced.

import { UsageError } from '../errors.js';
import { git, gitText } from './git.js';

export interface ApplyRequest {
  /** The user's repository (top of its work tree). */
  root: string;
  branch: string;
  /** Where the agent's work started (what it is measured against). */
  start: string;
  squash: boolean;
  /** The commit message of a squash, and of a merge commit. */
  message: string;
}

export type ApplyOutcome =
  | { applied: true; into: string; head: string; fastForward: boolean }
  | { applied: false; nothing: true }
  | { applied: false; conflicts: string[]; message: string };

export async function applyBranch(request: ApplyRequest): Promise<ApplyOutcome> {
  const { root } = request;
  const current = await git(['symbolic-ref', '-q', '--short', 'HEAD'], { cwd: root, allowFailure: true });
  if (current.code !== 0) throw new UsageError(`${root} has a detached HEAD: check out the branch to apply to first (git switch <branch>)`);
  const into = current.stdout.trim();
  const dirty = await gitText(['status', '--porcelain', '--untracked-files=no'], { cwd: root });
  if (dirty !== '') throw new UsageError(`${root} has uncommitted changes (${dirty.split('\n').length} path(s)): commit or stash them first, then apply`);
  const tip = await git(['rev-parse', '--verify', '--quiet', `refs/heads/${request.branch}`], { cwd: root, allowFailure: true });
  if (tip.code !== 0) throw new UsageError(`branch ${request.branch} is gone from ${root} (removed by herd clean?); nothing to apply`);
  if (tip.stdout.trim() === request.start) return { applied: false, nothing: true };
  const before = await gitText(['rev-parse', 'HEAD'], { cwd: root });
  const merge = request.squash
    ? await git(['merge', '--squash', request.branch], { cwd: root, allowFailure: true })
    : await git(['merge', '--no-edit', '-m', request.message, request.branch], { cwd: root, allowFailure: true });
  if (merge.code !== 0) return abort(root, request.squash, merge.stderr || merge.stdout);
  if (request.squash) {
    const commit = await git(['commit', '-q', '-m', request.message], { cwd: root, allowFailure: true });
    if (commit.code !== 0) {
      // e.g. no identity, or the user's commit hook said no: back to where it was.
      await git(['reset', '-q', '--merge'], { cwd: root });
      return { applied: false, conflicts: [], message: firstLines(commit.stderr || commit.stdout) };
    }
  }
  const head = await gitText(['rev-parse', 'HEAD'], { cwd: root });
  const fastForward = !request.squash && (await gitText(['rev-parse', `${head}^`], { cwd: root }).catch(() => '')) === before && head === tip.stdout.trim();
  return { applied: true, into, head, fastForward };
}

/** The merge stopped: name the conflicting files, then put everything back (git merge --abort, or reset --merge after a squash). */
async function abort(root: string, squash: boolean, output: string): Promise<ApplyOutcome> {
  const unmerged = await gitText(['diff', '--name-only', '--diff-filter=U'], { cwd: root });
  const conflicts = unmerged === '' ? [] : unmerged.split('\n');
  if (conflicts.length > 0 || squash) await git(squash ? ['reset', '-q', '--merge'] : ['merge', '--abort'], { cwd: root, allowFailure: true });
  return { applied: false, conflicts, message: firstLines(output) };
}

/** --copy runs: the agent's change as a patch applied to the directory it copied (checked first; nothing half-applied). */
export async function applyCopy(request: { workspace: string; start: string; branch: string; target: string }): Promise<ApplyOutcome> {
  const patch = (await git(['diff', '--binary', '--no-ext-diff', request.start, request.branch, '--'], { cwd: request.workspace })).stdout;
  if (patch === '') return { applied: false, nothing: true };
  const check = await git(['apply', '--check', '-'], { cwd: request.target, input: patch, allowFailure: true });
  if (check.code !== 0) {
    const conflicts = [...check.stderr.matchAll(/^error: (?:patch failed: )?([^:\n]+)(?::\d+)?/gm)].map((match) => match[1]!.trim());
    return { applied: false, conflicts: [...new Set(conflicts)], message: firstLines(check.stderr) };
  }
  await git(['apply', '-'], { cwd: request.target, input: patch });
  return { applied: true, into: request.target, head: '', fastForward: false };
}

function firstLines(text: string): string {
  return text.trim().split('\n').slice(0, 3).join(' / ');
}
