// Running a workflow as turn 1 of a new run, through the same run home, workspaces, store
// and turn runner as `Supervisor.run`: only the order differs. Each agent starts the moment
// its dependencies finish (pool/dependency-scheduler.ts), its placeholders filled from
// their results just before; dependents of a failed task are recorded as skipped with the
// reason; a judge's verdict is parsed and recorded; the stage account closes the record.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runByDependencies, type SkipCause } from '../pool/dependency-scheduler.js';
import type { TurnEntry, TurnRunOptions, TurnScheduler } from '../turn.js';
import { createRunId } from '../store/run-store.js';
import type { AgentResult, AgentTask, RepoOptions, RepoRecord, RunSummary, WorkflowRecord } from '../types.js';
import { UsageError } from '../errors.js';
import { createResult } from '../results.js';
import { describeCandidateWork, pickByCheck } from './repo-candidates.js';
import { validateId, validateSeedFiles } from '../options.js';
import { seedFiles } from '../workspace/workspace.js';
import { candidateIds, fillAgentTask, type FillContext } from './fill-task.js';
import { buildWorkflow, describeAgent } from './graph.js';
import { parseVerdict, type Verdict } from './judge.js';
import type { Workflow, WorkflowAgent, WorkflowSpec } from './spec.js';
import { computeStageAccounts, findCriticalPath } from './stage-account.js';
import { TemplateValueError } from './template.js';

export interface WorkflowRunOptions {
  runId?: string;
  /** Values for `{{vars.<name>}}` (win over the spec's defaults); a built Workflow has its own already. */
  vars?: Record<string, string>;
  signal?: AbortSignal;
  /** Work on a repository (see RunOptions.repo); wins over the spec's own `repo`. */
  repo?: RepoOptions;
}

/** A run home with its workspaces made and its record started, ready for its first turn. */
export interface PreparedRun {
  summary: RunSummary;
  runHome: string;
  entries: TurnEntry[];
  claudeBin: string | undefined;
  /** Said once the first turn starts (e.g. uncommitted changes left out of a repository run). */
  warnings?: string[];
}

/** What the Supervisor lends a workflow: its way of creating a run and of running a turn. */
export interface WorkflowHost {
  workspaceRoot: string;
  createRun(tasks: readonly AgentTask[], runId: string, repo?: RepoOptions): Promise<PreparedRun>;
  runTurn(run: PreparedRun, signal: AbortSignal | undefined, turnOptions: TurnRunOptions): Promise<RunSummary>;
}

export const SHARED_DIR_VARIABLE = 'HERD_SHARED_DIR';
/** Beside the agents' workspaces in the run home; no agent id can start with "_", so none can take it. */
const SHARED_DIR_NAME = '_shared';

export async function runWorkflow(input: WorkflowSpec | Workflow, options: WorkflowRunOptions, host: WorkflowHost): Promise<RunSummary> {
  const workflow = isBuilt(input) ? input : buildWorkflow(input, options.vars);
  const runId = options.runId === undefined ? createRunId() : validateId('run id', options.runId);
  const sharedDir = workflow.shared ? path.resolve(workflow.shared.dir ?? path.join(host.workspaceRoot, runId, SHARED_DIR_NAME)) : undefined;
  const tasks = workflow.agents.map((agent) => withSharedDir(agent.task, sharedDir));
  const repo = options.repo ?? workflow.repo;
  const startsElsewhere = workflow.groups.find((group) => group.baseFrom !== undefined);
  if (startsElsewhere && (repo === undefined || repo.copy !== undefined))
    throw new UsageError(
      `task "${startsElsewhere.id}", field "baseFrom": starting from another task's commit needs a git repository (--repo or defaults.repo${repo?.copy !== undefined ? '; --copy gives each agent a repository of its own' : ''})`,
    );
  // Checked before the run's directory exists (the agents' files are checked by createRun).
  if (workflow.shared?.files) validateSeedFiles('shared', workflow.shared.files);
  const run = await host.createRun(tasks, runId, repo);
  if (sharedDir !== undefined) await prepareSharedDir(sharedDir, workflow.shared?.files ?? {});
  run.summary.workflow = startRecord(workflow, sharedDir);
  const schedule = createWorkflowScheduler(workflow, run.summary.workflow, sharedDir, [], run.summary.repo);
  const budget = {
    ...(workflow.maxCostUsd === undefined ? {} : { maxCostUsd: workflow.maxCostUsd }),
    ...(workflow.warnCostUsd === undefined ? {} : { warnCostUsd: workflow.warnCostUsd }),
  };
  return host.runTurn(run, options.signal, { schedule, budget });
}

function isBuilt(input: WorkflowSpec | Workflow): input is Workflow {
  return 'groups' in input && 'agents' in input;
}

/** Every agent may use the shared directory: claude through --add-dir, any agent through $HERD_SHARED_DIR. */
function withSharedDir(task: AgentTask, sharedDir: string | undefined): AgentTask {
  if (sharedDir === undefined) return task;
  return { ...task, addDirs: [...(task.addDirs ?? []), sharedDir], env: { ...task.env, [SHARED_DIR_VARIABLE]: sharedDir } };
}

async function prepareSharedDir(dir: string, files: Record<string, string>): Promise<void> {
  // Private to the user like the workspaces: every agent of the run runs as that user.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await seedFiles(dir, files);
}

function startRecord(workflow: Workflow, sharedDir: string | undefined): WorkflowRecord {
  const record: WorkflowRecord = { vars: workflow.vars, tasks: workflow.groups, stages: [], judgements: [] };
  if (workflow.name !== undefined) record.name = workflow.name;
  if (workflow.file !== undefined) record.file = workflow.file;
  if (sharedDir !== undefined) record.sharedDir = sharedDir;
  return record;
}

/**
 * `herd resume` of a workflow run: the agents run again start as their dependencies finish,
 * with placeholders filled from the results the run already recorded. Undefined when the
 * run is not a workflow, or its latest turn is a continuation (which has no dependencies).
 */
export function createWorkflowResumeScheduler(summary: RunSummary): TurnScheduler | undefined {
  const record = summary.workflow;
  if (!record || summary.turns.length !== 1) return undefined;
  const groups = new Map(record.tasks.map((group) => [group.id, group]));
  const agents = record.tasks.flatMap((group) =>
    group.agents.map((id, position) => describeAgent(summary.tasks.find((task) => task.id === id) ?? { id, prompt: '' }, group, position, groups)),
  );
  const workflow: Workflow = { vars: record.vars, groups: record.tasks, agents };
  return createWorkflowScheduler(workflow, record, record.sharedDir, summary.turns[0]?.agents ?? [], summary.repo);
}

/**
 * The turn scheduler of a workflow run: dependencies decide the order, the turn runner runs
 * and records. Agents not among the turn's entries keep their `earlier` results (resume).
 */
function createWorkflowScheduler(
  workflow: Workflow,
  record: WorkflowRecord,
  sharedDir: string | undefined,
  earlier: readonly AgentResult[] = [],
  repo?: RepoRecord,
): TurnScheduler {
  const groups = new Map(workflow.groups.map((group) => [group.id, group]));
  const results = new Map(earlier.map((result) => [result.id, result]));
  const verdicts = new Map<string, Verdict>();
  for (const judgement of record.judgements)
    if (judgement.winner !== undefined)
      verdicts.set(judgement.judge, { winner: judgement.winner, reason: judgement.reason ?? '', source: judgement.source ?? 'text' });
  const context: FillContext = { workflow, groups, results, verdicts, ...(sharedDir === undefined ? {} : { sharedDir }) };

  return async (entries, runOne, pool) => {
    const entryOf = new Map(entries.map((entry) => [entry.task.id, entry]));
    for (const id of entryOf.keys()) results.delete(id);
    const runRecorded = async (entry: TurnEntry): Promise<AgentResult> => {
      const result = await runOne(entry);
      results.set(result.id, result);
      return result;
    };

    const start = async (agent: WorkflowAgent): Promise<boolean> => {
      const entry = entryOf.get(agent.task.id)!;
      const blocked = findBlockingEarlier(agent, entryOf, results);
      if (blocked) {
        markSkipped(entry, describeSkip({ dependency: blocked, failed: blocked }, results, groups));
        return (await runRecorded(entry)).status === 'succeeded';
      }
      const group = groups.get(agent.group)!;
      if (group.judges !== undefined && group.pick === 'check') {
        const judged = group.judges;
        entry.decide = () => pickByChecks(entry, agent.group, judged);
        return (await runRecorded(entry)).status === 'succeeded';
      }
      if (group.baseFrom !== undefined) {
        const from = startCommit(group.baseFrom);
        if (typeof from !== 'string') {
          markSkipped(entry, from.error);
          return (await runRecorded(entry)).status === 'succeeded';
        }
        entry.baseCommit = from;
      }
      try {
        // A judge on a repository sees each candidate's check and diff too.
        if (group.judges !== undefined && repo) context.work = await collectWork(repo, groups.get(group.judges)!.agents);
        entry.task = fillAgentTask(agent, entry.task, context);
      } catch (error) {
        if (!(error instanceof TemplateValueError)) throw error;
        markSkipped(entry, error.message);
        return (await runRecorded(entry)).status === 'succeeded';
      }
      const judged = group.judges;
      if (judged !== undefined) entry.check = (result) => decide(agent.group, judged, result);
      return (await runRecorded(entry)).status === 'succeeded';
    };

    const skip = async (agent: WorkflowAgent, cause: SkipCause): Promise<void> => {
      const entry = entryOf.get(agent.task.id)!;
      // Interrupted: what never started is cancelled (the turn runner says so), not skipped.
      if (!pool.signal?.aborted) markSkipped(entry, describeSkip(cause, results, groups));
      await runRecorded(entry);
    };

    // Edges to agents outside this turn (finished earlier) are settled: see findBlockingEarlier.
    const nodes = workflow.agents
      .filter((agent) => entryOf.has(agent.task.id))
      .map((agent) => ({ id: agent.task.id, dependsOn: agent.dependsOn.filter((edge) => entryOf.has(edge.id)), priority: agent.priority, agent }));
    await runByDependencies(nodes, {
      concurrency: pool.concurrency,
      beforeStart: pool.beforeStart,
      run: (node) => start(node.agent),
      skip: (node, cause) => skip(node.agent, cause),
    });
    closeRecord(record, workflow, results, pool.concurrency);
  };

  async function collectWork(repoRecord: RepoRecord, candidates: readonly string[]): Promise<Map<string, string>> {
    const finished = candidates.filter((id) => results.get(id)?.status === 'succeeded');
    return new Map(await Promise.all(finished.map(async (id) => [id, await describeCandidateWork(repoRecord, results.get(id)!)] as const)));
  }

  /** baseFrom: the final commit of that task's agent (a judge's: its winner's), or why there is none. */
  function startCommit(taskId: string): string | { error: string } {
    const source = groups.get(taskId)!;
    const agentId = source.judges !== undefined ? verdicts.get(source.id)?.winner : source.agents[0];
    if (agentId === undefined) return { error: `baseFrom "${taskId}": the judge named no winner to start from` };
    const commit = results.get(agentId)?.change?.to;
    return commit ?? { error: `baseFrom "${taskId}": ${agentId} left no recorded commit to start from` };
  }

  /** pick: check decides like a judge would, from the candidates' check results; no agent runs. */
  function pickByChecks(entry: TurnEntry, judge: string, judged: string): AgentResult {
    const candidates = candidateIds(groups.get(judged)!, results);
    const judgement: WorkflowRecord['judgements'][number] = { judge, of: judged, candidates };
    record.judgements = [...record.judgements.filter((earlierJudgement) => earlierJudgement.judge !== judge), judgement];
    const verdict = pickByCheck(groups.get(judged)!.agents, results);
    if ('error' in verdict) {
      judgement.error = verdict.error;
      return createResult({ id: entry.task.id, workspace: entry.workspace, status: 'failed', error: { reason: 'protocol', message: verdict.error } });
    }
    verdicts.set(judge, verdict);
    Object.assign(judgement, { winner: verdict.winner, reason: verdict.reason, source: verdict.source });
    return {
      ...createResult({ id: entry.task.id, workspace: entry.workspace, status: 'succeeded' }),
      result: `WINNER: ${verdict.winner}\nREASON: ${verdict.reason}`,
    };
  }

  /** A judge's answer must name a winner among the candidates that succeeded; otherwise the judge failed. */
  function decide(judge: string, judged: string, result: AgentResult): AgentResult {
    const candidates = candidateIds(groups.get(judged)!, results);
    const judgement: WorkflowRecord['judgements'][number] = { judge, of: judged, candidates };
    record.judgements = [...record.judgements.filter((earlierJudgement) => earlierJudgement.judge !== judge), judgement];
    if (result.status !== 'succeeded') {
      judgement.error = `the judge ${result.status}${result.error ? `: ${result.error.message}` : ''}`;
      return result;
    }
    const verdict = parseVerdict(result.result, candidates, result.structuredOutput);
    if ('error' in verdict) {
      judgement.error = verdict.error;
      return { ...result, status: 'failed', error: { reason: 'protocol', message: verdict.error } };
    }
    verdicts.set(judge, verdict);
    judgement.winner = verdict.winner;
    judgement.reason = verdict.reason;
    judgement.source = verdict.source;
    return result;
  }
}

/** A required dependency that finished in an earlier segment of the run without succeeding. */
function findBlockingEarlier(agent: WorkflowAgent, inThisTurn: ReadonlyMap<string, TurnEntry>, results: ReadonlyMap<string, AgentResult>): string | undefined {
  return agent.dependsOn.find((edge) => !edge.optional && !inThisTurn.has(edge.id) && results.get(edge.id)?.status !== 'succeeded')?.id;
}

function markSkipped(entry: TurnEntry, message: string): void {
  entry.skip = message;
  entry.skipReason = 'dependency';
}

/** `dependency "research" failed: <why>`, or for a chain, which skipped dependency and which failure started it. */
function describeSkip(cause: SkipCause, results: ReadonlyMap<string, AgentResult>, groups: ReadonlyMap<string, Workflow['groups'][number]>): string {
  const failed = results.get(cause.failed);
  const name = (id: string) => {
    const owner = [...groups.values()].find((group) => group.agents.length > 1 && group.agents.includes(id));
    return owner ? `"${id}" (of task "${owner.id}")` : `"${id}"`;
  };
  const what = `${name(cause.failed)} ${failed?.status ?? 'failed'}${failed?.error ? `: ${failed.error.message}` : ''}`;
  return cause.dependency === cause.failed ? `dependency ${what}` : `dependency ${name(cause.dependency)} was skipped because ${what}`;
}

function closeRecord(record: WorkflowRecord, workflow: Workflow, results: ReadonlyMap<string, AgentResult>, concurrency: number): void {
  record.stages = computeStageAccounts(workflow.groups, results, concurrency);
  record.criticalPath = findCriticalPath(workflow.agents, (id) => {
    const result = results.get(id);
    return result && result.attempts > 0 ? result.durationMs : 0;
  });
}
