// Recording what an agent's turn changed: everything it left in its workspace (tracked and
// untracked, .gitignore respected) is committed on its branch through the workspace's own
// index (a worktree has one of its own: the user's is never touched), with commit-tree so no
// hook and no signing prompt runs on herd's commit; commits the agent made itself are kept
// and counted. The record says what the turn changed and what the agent changed since the base.

import type { ChangeRecord } from '../types.js';
import { git, gitText } from './git.js';

/** More changed files than this are counted, not listed, in run.json. */
export const MAX_LISTED_PATHS = 200;

export interface RecordChangeRequest {
  workspace: string;
  branch: string;
  /** The branch tip when the turn started. */
  from: string;
  /** The run's base commit (what `sinceBase` is measured against). */
  baseSha: string;
  message: string;
  /** Author and committer (see commitIdentity). */
  identity: Record<string, string>;
}

export async function recordChange(request: RecordChangeRequest): Promise<ChangeRecord> {
  const started = performance.now();
  const { workspace: cwd } = request;
  await git(['add', '-A'], { cwd });
  const [tree, heads] = await Promise.all([gitText(['write-tree'], { cwd }), gitText(['rev-parse', 'HEAD', 'HEAD^{tree}'], { cwd })]);
  const [head = '', headTree = ''] = heads.split('\n');
  let to = head;
  let commit: string | undefined;
  if (tree !== headTree) {
    commit = await gitText(['commit-tree', '--no-gpg-sign', tree, '-p', head, '-m', request.message], { cwd, env: request.identity });
    // HEAD is the branch (a symbolic ref): the branch moves, and only if nobody moved it meanwhile.
    await git(['update-ref', '-m', 'herd: record the turn', 'HEAD', commit, head], { cwd });
    to = commit;
  }
  const [turn, sinceBase, agentCommits] = await Promise.all([
    request.from === to ? Promise.resolve(emptyStat()) : numstat(cwd, request.from, to),
    request.baseSha === to ? Promise.resolve(emptyStat()) : numstat(cwd, request.baseSha, to),
    request.from === head ? Promise.resolve(0) : countCommits(cwd, request.from, head),
  ]);
  const record: ChangeRecord = {
    branch: request.branch,
    from: request.from,
    to,
    files: turn.paths.length,
    insertions: turn.insertions,
    deletions: turn.deletions,
    paths: turn.paths.slice(0, MAX_LISTED_PATHS),
    sinceBase: { files: sinceBase.paths.length, insertions: sinceBase.insertions, deletions: sinceBase.deletions },
    recordMs: 0,
  };
  if (commit !== undefined) record.commit = commit;
  if (agentCommits > 0) record.agentCommits = agentCommits;
  record.recordMs = Math.round(performance.now() - started);
  return record;
}

export interface DiffStat {
  paths: string[];
  insertions: number;
  deletions: number;
}

const emptyStat = (): DiffStat => ({ paths: [], insertions: 0, deletions: 0 });

/** Files, insertions and deletions between two commits (binary files count as changed, with no lines). */
export async function numstat(cwd: string, from: string, to: string): Promise<DiffStat> {
  const text = await gitText(['diff', '--numstat', '-z', '--no-renames', '--no-ext-diff', from, to, '--'], { cwd });
  const stat = emptyStat();
  // -z: "<added>\t<deleted>\t<path>\0" per file.
  for (const entry of text.split('\0')) {
    const match = /^(\d+|-)\t(\d+|-)\t([\s\S]+)$/.exec(entry);
    if (!match) continue;
    stat.paths.push(match[3]!);
    if (match[1] !== '-') stat.insertions += Number(match[1]);
    if (match[2] !== '-') stat.deletions += Number(match[2]);
  }
  return stat;
}

async function countCommits(cwd: string, from: string, to: string): Promise<number> {
  const run = await git(['rev-list', '--count', `${from}..${to}`], { cwd, allowFailure: true });
  return run.code === 0 ? Number(run.stdout.trim()) || 0 : 0;
}
