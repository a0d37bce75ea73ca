// What happens around an agent's turn when it works on a repository (or has a check or
// setup command): its worktree made ready first (created, reused, or recreated from its
// branch), the setup command before its first turn, and after the turn its change committed
// and measured and the check command run. The attempts inside know nothing of any of it.

import { buildAgentEnv } from '../attempt/agent-env.js';
import { recordChange } from '../repo/change.js';
import { prepareCopy } from '../repo/copy.js';
import { gitCommonDir, sanitizeRefPart } from '../repo/repository.js';
import { prepareWorktree } from '../repo/worktree.js';
import { createResult } from '../results.js';
import type { Redactor } from '../secrets/redact.js';
import type { TurnEntry } from '../turn.js';
import type { AgentResult, ChangeRecord, CommandCheck, RepoRecord, RunSummary } from '../types.js';
import { seedFiles } from '../workspace/workspace.js';
import { commandTag, commandWords, DEFAULT_CHECK_TIMEOUT_MS, DEFAULT_SETUP_TIMEOUT_MS, runWorkspaceCommand } from './workspace-command.js';

export interface WorkspaceStepsOptions {
  summary: RunSummary;
  /** Author and committer of herd's commits (see repo commitIdentity). */
  identity: Record<string, string>;
  inheritedEnv: NodeJS.ProcessEnv;
  env: Record<string, string>;
  envAllow: string[] | undefined;
  killGraceMs: number | undefined;
  signal: AbortSignal | undefined;
}

export interface TurnAround {
  entry: TurnEntry;
  turn: number;
  /** The agent's result from an earlier segment of this turn (resume), if any. */
  earlier: AgentResult | undefined;
  redact: Redactor;
  /** Runs the agent's attempts. */
  run: () => Promise<AgentResult>;
}

export type WorkspaceSteps = (turn: TurnAround) => Promise<AgentResult>;

/** The branch an agent's work goes on: herd/<runId>/<agentId>, ids made valid as ref names. */
export function agentBranch(repo: RepoRecord, agentId: string): string {
  return `${repo.branchPrefix}${sanitizeRefPart(agentId)}`;
}

export function createWorkspaceSteps(options: WorkspaceStepsOptions): WorkspaceSteps {
  const { summary } = options;
  const repo = summary.repo;
  let commonDir: Promise<string> | undefined;

  function environment(entry: TurnEntry, tag: string): Record<string, string> {
    return buildAgentEnv({
      inherited: options.inheritedEnv,
      ...(options.envAllow ? { allow: options.envAllow } : {}),
      extra: { ...options.env, ...entry.task.env, HERD_RUN_ID: summary.runId, HERD_AGENT_ID: entry.task.id },
      tag,
    });
  }

  async function runCommand(entry: TurnEntry, field: 'check' | 'setup', redact: Redactor): Promise<CommandCheck> {
    const { task } = entry;
    const tag = commandTag(summary.runId, task.id, field);
    return runWorkspaceCommand({
      command: commandWords(task.id, field, task[field]!),
      cwd: entry.workspace,
      env: environment(entry, tag),
      tag,
      timeoutMs: (field === 'check' ? task.checkTimeoutMs : task.setupTimeoutMs) ?? (field === 'check' ? DEFAULT_CHECK_TIMEOUT_MS : DEFAULT_SETUP_TIMEOUT_MS),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      redact,
    });
  }

  /** The workspace ready for the turn: the branch tip it starts from, and the commit its changes are measured against. */
  async function prepare(entry: TurnEntry, repoRecord: RepoRecord): Promise<{ head: string; base: string }> {
    const branch = agentBranch(repoRecord, entry.task.id);
    const prepared =
      repoRecord.kind === 'copy'
        ? await prepareCopy({ source: repoRecord.root, dir: entry.workspace, branch, startedAt: summary.startedAt, skip: [summary.workspaceRoot] })
        : await prepareWorktree({ root: repoRecord.root, dir: entry.workspace, branch, startSha: entry.baseCommit ?? repoRecord.baseSha });
    // Seed files land in a new workspace only: on later turns they are part of the agent's work.
    if (prepared.state === 'created' && entry.task.files && Object.keys(entry.task.files).length > 0) await seedFiles(entry.workspace, entry.task.files);
    return { head: prepared.head, base: 'base' in prepared && typeof prepared.base === 'string' ? prepared.base : repoRecord.baseSha };
  }

  async function record(entry: TurnEntry, turn: number, from: string, baseSha: string, repoRecord: RepoRecord): Promise<ChangeRecord> {
    const branch = agentBranch(repoRecord, entry.task.id);
    const message = `herd: ${entry.task.id}, turn ${turn} of run ${summary.runId}\n\n${firstLine(entry.task.prompt)}`;
    try {
      return await recordChange({ workspace: entry.workspace, branch, from, baseSha, message, identity: options.identity });
    } catch (error) {
      // The work stays in the workspace; the record says why it is not on the branch.
      return {
        branch,
        from,
        to: from,
        files: 0,
        insertions: 0,
        deletions: 0,
        paths: [],
        sinceBase: { files: 0, insertions: 0, deletions: 0 },
        recordMs: 0,
        error: messageOf(error),
      };
    }
  }

  return async ({ entry, turn, earlier, redact, run }) => {
    const { task } = entry;
    let start: { head: string; base: string } | undefined;
    if (repo) {
      try {
        start = await prepare(entry, repo);
        // A sandboxed agent's git commands in its worktree write to the repository's .git (objects, refs, index).
        if (repo.kind === 'worktree') {
          commonDir ??= gitCommonDir(repo.root);
          const writable = entry.sandboxPaths?.writable ?? [];
          const dir = await commonDir;
          if (!writable.includes(dir)) entry.sandboxPaths = { ...entry.sandboxPaths, writable: [...writable, dir] };
        }
      } catch (error) {
        return failed(entry, redact(`could not prepare its ${repo.kind === 'copy' ? 'copy' : 'worktree'}: ${messageOf(error)}`));
      }
    }
    let setup = earlier?.setup;
    if (task.setup !== undefined && turn === 1 && setup?.status !== 'passed') {
      setup = await runCommand(entry, 'setup', redact);
      if (setup.status === 'failed') return { ...failed(entry, `setup ${describeFailure(setup)}`), setup, stderrTail: setup.outputTail };
    }
    let result = await run();
    if (setup) result = { ...result, setup };
    const started = result.attempts > 0;
    if (repo && start !== undefined && started) result = { ...result, change: await record(entry, turn, start.head, start.base, repo) };
    if (task.check !== undefined && started && result.status !== 'cancelled' && !options.signal?.aborted)
      result = { ...result, check: await runCommand(entry, 'check', redact) };
    return result;
  };
}

function failed(entry: TurnEntry, message: string): AgentResult {
  return createResult({ id: entry.task.id, workspace: entry.workspace, status: 'failed', attempts: 0, error: { reason: 'setup', message } });
}

/** "failed: exit 1 after 2.1s", "timed out after 10m", "could not start: ..." */
export function describeFailure(check: CommandCheck): string {
  if (check.spawnError !== undefined) return `could not start: ${check.spawnError}`;
  const seconds = `${(check.durationMs / 1000).toFixed(1)}s`;
  if (check.timedOut) return `timed out after ${seconds}`;
  return `failed: ${check.signal ? `killed by ${check.signal}` : `exit ${check.exitCode ?? '?'}`} after ${seconds}`;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
