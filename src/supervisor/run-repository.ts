// The repository a new run works on, checked before anything is created: the directory (a
// git work tree for --repo, any directory for --copy), the base, the branch every agent's
// work goes on (valid, distinct, and not there yet). Every problem is a UsageError (exit 2).

import { UsageError } from '../errors.js';
import { openCopy } from '../repo/copy.js';
import { isValidBranchName, openRepository } from '../repo/repository.js';
import { listBranches } from '../repo/worktree.js';
import type { AgentTask, RepoOptions, RepoRecord } from '../types.js';
import { agentBranch } from './workspace-steps.js';
import { commandWords } from './workspace-command.js';

export interface RunRepository {
  record: RepoRecord;
  /** Said when the run starts (e.g. the user's uncommitted changes were left out). */
  warnings: string[];
}

export async function openRunRepository(options: RepoOptions, runId: string, tasks: readonly AgentTask[], workspaceRoot: string): Promise<RunRepository> {
  if (options.dir !== undefined && options.copy !== undefined) throw new UsageError('give --repo <dir> or --copy <dir>, not both');
  if (options.copy !== undefined) {
    if (options.base !== undefined || options.includeDirty)
      throw new UsageError('--base and --include-dirty apply to --repo (a git repository), not to --copy');
    return { record: await openCopy(options.copy, runId), warnings: [] };
  }
  if (options.dir === undefined) throw new UsageError('repo: give the directory of a git repository (dir) or one to copy (copy)');
  const opened = await openRepository({
    dir: options.dir,
    runId,
    workspaceRoot,
    ...(options.base === undefined ? {} : { base: options.base }),
    ...(options.includeDirty ? { includeDirty: true } : {}),
  });
  await checkBranches(opened.record, tasks);
  return { record: opened.record, warnings: opened.note === undefined ? [] : [opened.note] };
}

/** One new, valid branch per agent: two ids must not become the same name, and none may exist already. */
async function checkBranches(record: RepoRecord, tasks: readonly AgentTask[]): Promise<void> {
  const owners = new Map<string, string>();
  for (const task of tasks) {
    const branch = agentBranch(record, task.id);
    const other = owners.get(branch);
    if (other !== undefined) throw new UsageError(`agent ids "${other}" and "${task.id}" would both work on branch ${branch}; rename one of them`);
    owners.set(branch, task.id);
  }
  const invalid = (
    await Promise.all([...owners].map(async ([branch, id]) => ((await isValidBranchName(record.root, branch)) ? undefined : { branch, id })))
  ).find((found) => found !== undefined);
  if (invalid) throw new UsageError(`agent id "${invalid.id}" cannot name a git branch (${invalid.branch}); use letters, digits, "-" and "_"`);
  const existing = await listBranches(record.root, record.branchPrefix);
  if (existing.length > 0)
    throw new UsageError(
      `${record.root} already has branches ${record.branchPrefix}* (${existing.slice(0, 3).join(', ')}); choose another run id, or herd clean that run`,
    );
}

/** check and setup commands are checked before the run starts (an unclosed quote is bad input, not a failed agent). */
export function validateWorkspaceCommands(tasks: readonly AgentTask[]): void {
  for (const task of tasks) {
    if (task.check !== undefined) commandWords(task.id, 'check', task.check);
    if (task.setup !== undefined) commandWords(task.id, 'setup', task.setup);
    for (const field of ['checkTimeoutMs', 'setupTimeoutMs'] as const) {
      const value = task[field];
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new UsageError(`agent "${task.id}": ${field} must be a number of milliseconds above 0, got ${JSON.stringify(value)}`);
    }
  }
}
