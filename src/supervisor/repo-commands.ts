// What `herd diff`, `herd apply` and `herd clean` do with a run's repository, read from its
// record: where each agent's work is (its branch, where it started), its diff, bringing it
// into the user's branch, and removing the run's worktrees and branches.

import path from 'node:path';
import { UsageError } from '../errors.js';
import { applyBranch, applyCopy, type ApplyOutcome } from '../repo/apply.js';
import { diffStat, diffText } from '../repo/diff.js';
import { removeRunWorktrees, type RemovedWorktrees } from '../repo/worktree.js';
import { formatCheck } from '../report/summary-text.js';
import { renderTable } from '../report/format.js';
import type { AgentResult, RepoRecord, RunSummary } from '../types.js';
import { agentBranch } from './workspace-steps.js';

export function repoOf(summary: RunSummary): RepoRecord {
  if (!summary.repo) throw new UsageError(`run ${summary.runId} did not work on a repository (it was not started with --repo or --copy)`);
  return summary.repo;
}

export function findAgent(summary: RunSummary, id: string): AgentResult {
  const agent = summary.agents.find((candidate) => candidate.id === id);
  if (!agent) throw new UsageError(`run ${summary.runId} has no agent "${id}"; its agents are: ${summary.agents.map((candidate) => candidate.id).join(', ')}`);
  return agent;
}

/** Where an agent's work started: its first recorded turn's starting commit (a baseFrom task starts elsewhere), else the run's base. */
export function agentStart(summary: RunSummary, agentId: string): string | undefined {
  for (const turn of summary.turns) {
    const change = turn.agents.find((agent) => agent.id === agentId)?.change;
    if (change) return change.from;
  }
  return summary.repo?.kind === 'copy' ? undefined : summary.repo?.baseSha;
}

/** The repository holding the agent's branch: the user's (worktrees), or its copy's own. */
function gitDirOf(repo: RepoRecord, agent: AgentResult): string {
  return repo.kind === 'copy' ? agent.workspace : repo.root;
}

export async function agentDiff(summary: RunSummary, agentId: string, options: { stat: boolean; color: boolean }): Promise<string> {
  const repo = repoOf(summary);
  const agent = findAgent(summary, agentId);
  const start = agentStart(summary, agentId);
  const branch = agentBranch(repo, agentId);
  if (start === undefined || (await diffStat(gitDirOf(repo, agent), start, branch)) === undefined)
    throw new UsageError(`agent "${agentId}" has no branch ${branch} (it never ran, or herd clean removed it)`);
  return diffText(gitDirOf(repo, agent), start, branch, options);
}

/** One row per agent: what its branch holds against where it started, and its last check. */
export async function runDiffTable(summary: RunSummary): Promise<string> {
  const repo = repoOf(summary);
  const rows = await Promise.all(
    summary.agents.map(async (agent) => {
      const branch = agentBranch(repo, agent.id);
      const start = agentStart(summary, agent.id);
      const stat = start === undefined ? undefined : await diffStat(gitDirOf(repo, agent), start, branch);
      const counts = stat ? [String(stat.paths.length), `+${stat.insertions}`, `-${stat.deletions}`] : ['-', '-', '-'];
      return [agent.id, agent.status, ...counts, formatCheck(agent.check), stat ? branch : `${branch} (gone)`];
    }),
  );
  return renderTable(['agent', 'status', 'files', 'added', 'removed', 'check', 'branch'], rows, new Set([2, 3, 4]));
}

export async function applyAgent(summary: RunSummary, agentId: string, squash: boolean): Promise<ApplyOutcome & { branch: string }> {
  const repo = repoOf(summary);
  const agent = findAgent(summary, agentId);
  const branch = agentBranch(repo, agentId);
  const start = agentStart(summary, agentId);
  if (repo.kind === 'copy') {
    if (start === undefined) throw new UsageError(`agent "${agentId}" changed nothing that was recorded; nothing to apply`);
    return { ...(await applyCopy({ workspace: agent.workspace, start, branch, target: repo.root })), branch };
  }
  const prompt = summary.tasks.find((task) => task.id === agentId)?.prompt ?? '';
  const message = `herd: ${agentId} of run ${summary.runId}${squash ? ' (squashed)' : ''}\n\n${prompt.trim().split('\n')[0]!.slice(0, 200)}`;
  return { ...(await applyBranch({ root: repo.root, branch, start: start ?? repo.baseSha, squash, message })), branch };
}

/** herd clean of a repository run: its worktrees (and unless keepBranches its branches) go; a copy run's copies go with the run directory. */
export async function cleanRunRepository(summary: RunSummary, workspaceRoot: string, keepBranches: boolean): Promise<RemovedWorktrees | undefined> {
  const repo = summary.repo;
  if (repo?.kind !== 'worktree') return undefined;
  return removeRunWorktrees(repo.root, path.join(workspaceRoot, summary.runId), repo.branchPrefix, keepBranches);
}
