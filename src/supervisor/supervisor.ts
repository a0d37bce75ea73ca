// The Supervisor ties the pieces together for a batch: validate, create the run home and
// workspaces, start the simulate server when asked, run every agent through the pool,
// record each result on disk as it arrives, and hand back the run summary. `continue`
// resumes each agent's session in its own workspace as a new turn of the same run. With
// keepAlive it owns the warm claude processes of its runs (and the simulate server they
// talk to) until they sit idle too long or `close()` is called.

import path from 'node:path';
import type { TurnEntry, TurnRunOptions } from '../turn.js';
import { createRunTurnRunner } from './turn-runner.js';
import { runStatus } from './turn-record.js';
import { killTaggedProcesses } from '../process/kill-tree.js';
import { DEFAULT_RETRY_POLICY } from './retry-policy.js';
import { resolveClaudeBin } from '../agents/claude-bin.js';
import { UsageError } from '../errors.js';
import type { HerdEventListener } from '../events.js';
import { defaultConcurrency, defaultStartSlots, parsePositiveInt, validateId, validateTasks } from '../options.js';
import { REDACTED, redactEnvMap } from '../secrets/redact.js';
import { createRunId, lockRun, readRun, RunFileWriter } from '../store/run-store.js';
import { computeTotals } from '../report/totals.js';
import { createResult } from '../results.js';
import type { AgentResult, AgentTask, RepoOptions, RunSummary } from '../types.js';
import { commitIdentity, excludeFromStatus, herdIdentityEnv } from '../repo/repository.js';
import { openRunRepository, validateWorkspaceCommands } from './run-repository.js';
import { createWorkspaceSteps, type WorkspaceSteps } from './workspace-steps.js';
import { createAgentWorkspace, createPrivateDirectory, createRunHome, seedFiles } from '../workspace/workspace.js';
import { startSimulateServer, type SimulateOptions, type SimulateServer } from '../simulate/server.js';
import { WarmPool } from '../attempt/warm-pool.js';
import { createWorkflowResumeScheduler, runWorkflow, type PreparedRun, type WorkflowRunOptions } from '../workflow/run-workflow.js';
import type { Workflow, WorkflowSpec } from '../workflow/spec.js';

export interface SupervisorOptions {
  /** Where runs live (default: $HERD_HOME or ./workspaces). */
  workspaceRoot?: string;
  /** Agents at once (default: all, up to 8). */
  concurrency?: number;
  claudeBin?: string;
  /** Run against herd's built-in stand-in API instead of the real one. */
  simulate?: boolean | SimulateOptions;
  /** Added to every agent's environment. */
  env?: Record<string, string>;
  /** Inherit only these variables (names or PREFIX_*), plus the essentials (PATH, HOME...). */
  envAllow?: string[];
  /** Defaults for tasks that do not set their own. */
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** SIGTERM to SIGKILL grace when herd stops an agent (default 5 s). */
  killGraceMs?: number;
  /** Extra attempts for transient failures (rate limit, overload, 5xx, crash by signal); default 0. */
  retries?: number;
  /** Count timeouts as transient too. */
  retryTimeouts?: boolean;
  /** First backoff before a retry (doubles each time, with jitter); default 1 s. */
  retryBaseDelayMs?: number;
  /** Space agent starts by this much (default 0: all at once; see README, Performance). */
  startStaggerMs?: number;
  /**
   * At most this many claude agents starting up at once; an agent has started once it prints
   * its first line. 0: no limit. Default: the number of CPU cores when more than 3 agents per
   * core would start together (see defaultStartSlots), else no limit; none with startStaggerMs.
   */
  startSlots?: number;
  signal?: AbortSignal;
  onEvent?: HerdEventListener;
  /** The environment agents inherit (default process.env); a seam for tests. */
  inheritedEnv?: NodeJS.ProcessEnv;
  /**
   * Keep each claude agent's process alive between turns, so `continue` on this Supervisor
   * costs the model's latency and not a process start. Call `close()` when done (herd's exit
   * kills them anyway).
   */
  keepAlive?: boolean;
  /** A warm process idle this long is closed; its next turn resumes cold (default 5 min). */
  keepAliveIdleMs?: number;
  /** The repository every new run works on unless its RunOptions say otherwise (see RunOptions.repo). */
  repo?: RepoOptions;
}

export interface RunOptions {
  runId?: string;
  signal?: AbortSignal;
  /**
   * Work on the user's code: each agent in a git worktree of `repo.dir` on its own branch
   * (herd/<runId>/<agentId>), or in a copy of `repo.copy`; every turn's change is committed
   * and recorded (AgentResult.change), with the task's check command run after it.
   */
  repo?: RepoOptions;
}

export interface ResumeOptions {
  /** Also run again the agents that failed or timed out (not only the unfinished ones). */
  retryFailed?: boolean;
  signal?: AbortSignal;
}

export interface ContinueOptions {
  /** Only these agents (default: all of the run). */
  agents?: string[];
  signal?: AbortSignal;
}

export const DEFAULT_KEEP_ALIVE_IDLE_MS = 5 * 60_000;

export function defaultWorkspaceRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.HERD_HOME || 'workspaces');
}

export class Supervisor {
  private readonly listeners = new Set<HerdEventListener>();
  readonly workspaceRoot: string;
  private readonly warmPool: WarmPool | undefined;
  /** Simulate servers the warm processes talk to, by their options; they outlive turns. */
  private readonly sharedServers = new Map<string, Promise<SimulateServer>>();
  private turnsRunning = 0;

  constructor(private readonly options: SupervisorOptions = {}) {
    this.workspaceRoot = path.resolve(options.workspaceRoot ?? defaultWorkspaceRoot(options.inheritedEnv ?? process.env));
    if (options.concurrency !== undefined) parsePositiveInt('concurrency', options.concurrency);
    if (options.keepAliveIdleMs !== undefined) parsePositiveInt('keepAliveIdleMs', options.keepAliveIdleMs, Number.MAX_SAFE_INTEGER);
    if (options.startSlots !== undefined && !(Number.isInteger(options.startSlots) && options.startSlots >= 0)) {
      throw new UsageError(`startSlots: expected a whole number of 0 or more (0: no limit), got ${JSON.stringify(options.startSlots)}`);
    }
    if (options.onEvent) this.listeners.add(options.onEvent);
    if (options.keepAlive) {
      this.warmPool = new WarmPool({ idleMs: options.keepAliveIdleMs ?? DEFAULT_KEEP_ALIVE_IDLE_MS, onEmpty: () => void this.closeIdleServers() });
    }
  }

  /** Close every warm process (and the simulate server they used). Safe to call more than once, and without keepAlive. */
  async close(): Promise<void> {
    await this.warmPool?.closeAll();
    await this.closeIdleServers();
  }

  /** Listen to every event of every run; returns a function that stops listening. */
  on(listener: HerdEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Run a batch of tasks as turn 1 of a new run. Agent failures are results, never throws for them. */
  async run(tasks: readonly AgentTask[], runOptions: RunOptions = {}): Promise<RunSummary> {
    const run = await this.createRun(tasks, runOptions.runId, runOptions.repo ?? this.options.repo);
    return this.withRunLock(run.summary.runId, () =>
      this.runTurn(run.summary, run.runHome, run.entries, run.claudeBin, runOptions.signal, run.warnings?.length ? { warnings: run.warnings } : {}),
    );
  }

  /**
   * Run a workflow (task file or WorkflowSpec): each task starts the moment its dependencies
   * finish, highest priority first; each/compete/judge expanded; see workflow/run-workflow.ts.
   * Bad graphs (cycles, unknown ids, missing values) are UsageErrors before anything starts.
   */
  async runWorkflow(workflow: WorkflowSpec | Workflow, runOptions: WorkflowRunOptions = {}): Promise<RunSummary> {
    return runWorkflow(workflow, runOptions, {
      workspaceRoot: this.workspaceRoot,
      createRun: (tasks, runId, repo) => this.createRun(tasks, runId, repo ?? this.options.repo),
      runTurn: (run, signal, turnOptions) =>
        this.runTurn(run.summary, run.runHome, run.entries, run.claudeBin, signal, {
          ...turnOptions,
          ...(run.warnings?.length ? { warnings: run.warnings } : {}),
        }),
    });
  }

  /** Validate, create the run home, one workspace per agent and the run record (all agents pending). */
  private async createRun(tasks: readonly AgentTask[], wantedRunId: string | undefined, repoOptions?: RepoOptions): Promise<PreparedRun> {
    validateTasks(tasks);
    validateWorkspaceCommands(tasks);
    const prepared = tasks.map((task) => this.withDefaults(task));
    const claudeBin = this.claudeBinFor(prepared);
    const runId = wantedRunId === undefined ? createRunId() : validateId('run id', wantedRunId);
    // Checked before anything is created: a directory that is no repository, an unknown base, ids that make no branch.
    const repo = repoOptions === undefined ? undefined : await openRunRepository(repoOptions, runId, prepared, this.workspaceRoot);
    const runHome = await createRunHome(this.workspaceRoot, runId);
    if (repo?.record.kind === 'worktree') await excludeFromStatus(repo.record.root, this.workspaceRoot);
    const simulated = this.options.simulate !== undefined && this.options.simulate !== false;
    const now = new Date().toISOString();
    const summary: RunSummary = {
      runId,
      status: 'running',
      startedAt: now,
      endedAt: now,
      simulated,
      agents: [],
      totals: computeTotals([], 0, 1),
      turns: [],
      tasks: prepared.map(storableTask),
      workspaceRoot: this.workspaceRoot,
    };
    if (repo) summary.repo = repo.record;
    if (simulated) {
      // Claude writes sessions and settings here; private like the rest of the run.
      summary.claudeConfigDir = path.join(runHome, '.claude-config');
      await createPrivateDirectory(summary.claudeConfigDir);
    }
    const entries: TurnEntry[] = [];
    for (const task of prepared) {
      // On a repository the workspace is made when the agent starts (a worktree add, one at a time per repository).
      const workspace = repo ? path.join(runHome, task.id) : await createAgentWorkspace(runHome, task.id);
      if (!repo && task.files) await seedFiles(workspace, task.files);
      entries.push({ task, workspace });
      summary.agents.push(pendingResult(task.id, workspace));
    }
    return { summary, runHome, entries, claudeBin, ...(repo?.warnings.length ? { warnings: repo.warnings } : {}) };
  }

  /** Send `prompt` to every agent of a run (or the chosen ones), each resuming its own session in its own workspace. */
  async continue(runId: string, prompt: string, continueOptions: ContinueOptions = {}): Promise<RunSummary> {
    if (!prompt) throw new UsageError('continue: the prompt is empty');
    return this.withRunLock(runId, () => this.continueLocked(runId, prompt, continueOptions));
  }

  /** Only one herd works on a run at a time (see lockRun); the record is read after the lock is held. */
  private async withRunLock<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const release = await lockRun(this.workspaceRoot, validateId('run id', runId));
    try {
      return await work();
    } finally {
      await release();
    }
  }

  private async continueLocked(runId: string, prompt: string, continueOptions: ContinueOptions): Promise<RunSummary> {
    const summary = await readRun(this.workspaceRoot, runId);
    const chosen = chooseAgents(summary, continueOptions.agents);
    const entries: TurnEntry[] = chosen.map((previous) => {
      const stored = summary.tasks.find((task) => task.id === previous.id) ?? { id: previous.id, prompt };
      const task = this.withDefaults(taskFromRecord(stored, prompt));
      const entry: TurnEntry = { task, workspace: previous.workspace };
      if (previous.sessionId !== undefined) entry.resumeSessionId = previous.sessionId;
      else if ((task.agent ?? 'claude') === 'claude') entry.skip = 'no session to continue: its first turn ended before claude started a session';
      return entry;
    });
    const claudeBin = this.claudeBinFor(entries.map((entry) => entry.task));
    summary.status = 'running';
    return this.runTurn(summary, path.join(this.workspaceRoot, runId), entries, claudeBin, continueOptions.signal, { prompt });
  }

  /**
   * Finish a run that was interrupted or killed: run again only the agents of its latest turn
   * that did not finish (and, with retryFailed, those that failed), continuing their sessions
   * where they have one, in their own workspaces, completing the same run record.
   */
  async resume(runId: string, resumeOptions: ResumeOptions = {}): Promise<RunSummary> {
    return this.withRunLock(runId, () => this.resumeLocked(runId, resumeOptions));
  }

  private async resumeLocked(runId: string, resumeOptions: ResumeOptions): Promise<RunSummary> {
    const summary = await readRun(this.workspaceRoot, runId);
    // Agents of a herd that was SIGKILLed may still be running: they must not run twice.
    // Our own warm ones are closed first, gently (the sweep would find them too).
    await this.warmPool?.closeRun(runId);
    await killTaggedProcesses(`${runId}/`, true);
    const turn = summary.turns.at(-1);
    const unfinished = new Set<string>(['pending', 'running', 'cancelled', ...(resumeOptions.retryFailed ? ['failed', 'timeout'] : [])]);
    const done = new Map((turn?.agents ?? []).map((agent) => [agent.id, agent]));
    const planned = turn?.planned ?? summary.agents.map((agent) => agent.id);
    const entries: TurnEntry[] = [];
    for (const id of planned) {
      const finished = done.get(id);
      // A workflow agent skipped because its dependency failed runs again with that dependency.
      const dependencyRetried = resumeOptions.retryFailed === true && finished?.error?.reason === 'dependency';
      if (finished && !unfinished.has(finished.status) && !dependencyRetried) continue;
      const known = summary.agents.find((agent) => agent.id === id);
      const stored = summary.tasks.find((task) => task.id === id);
      if (!known || !stored) continue;
      const task = this.withDefaults(taskFromRecord(stored, turn?.prompt ?? stored.prompt));
      const entry: TurnEntry = { task, workspace: known.workspace };
      const sessionId = finished?.sessionId ?? known.sessionId;
      if (sessionId !== undefined) entry.resumeSessionId = sessionId;
      entries.push(entry);
    }
    if (entries.length === 0) {
      // Nothing left to run: a record left "running" by a killed herd, or "cancelled" after its
      // last agent had ended, is finished; say so on disk.
      const status = runStatus(turn?.agents ?? summary.agents, undefined);
      if (summary.status !== status) {
        summary.status = status;
        await new RunFileWriter(path.join(this.workspaceRoot, runId)).write(summary);
      }
      return summary;
    }
    const claudeBin = this.claudeBinFor(entries.map((entry) => entry.task));
    summary.status = 'running';
    // A workflow's agents wait for their dependencies again, placeholders filled from what was recorded.
    const schedule = createWorkflowResumeScheduler(summary);
    return this.runTurn(summary, path.join(this.workspaceRoot, runId), entries, claudeBin, resumeOptions.signal, {
      resumeTurn: true,
      ...(schedule ? { schedule } : {}),
    });
  }

  private async runTurn(
    summary: RunSummary,
    runHome: string,
    entries: TurnEntry[],
    claudeBin: string | undefined,
    signal: AbortSignal | undefined,
    turnOptions: TurnRunOptions = {},
  ): Promise<RunSummary> {
    this.turnsRunning += 1;
    try {
      return await this.runTurnNow(summary, runHome, entries, claudeBin, signal, turnOptions);
    } finally {
      this.turnsRunning -= 1;
      if (!this.warmPool?.size) await this.closeIdleServers();
    }
  }

  private async runTurnNow(
    summary: RunSummary,
    runHome: string,
    entries: TurnEntry[],
    claudeBin: string | undefined,
    signal: AbortSignal | undefined,
    turnOptions: TurnRunOptions,
  ): Promise<RunSummary> {
    const simulate = this.options.simulate === true ? {} : this.options.simulate || (summary.simulated ? {} : undefined);
    const concurrency = this.options.concurrency ?? defaultConcurrency(entries.length);
    const runner = createRunTurnRunner({
      summary,
      runHome,
      claudeBin,
      listeners: this.listeners,
      simulate,
      ...(this.warmPool ? { warmPool: this.warmPool } : {}),
      ...(this.warmPool && simulate ? { simulateServer: await this.sharedServer(simulate) } : {}),
      inheritedEnv: this.options.inheritedEnv ?? process.env,
      env: this.options.env ?? {},
      envAllow: this.options.envAllow,
      killGraceMs: this.options.killGraceMs,
      concurrency,
      signal: combineSignals(this.options.signal, signal),
      retry: {
        ...DEFAULT_RETRY_POLICY,
        retries: this.options.retries ?? 0,
        retryTimeouts: this.options.retryTimeouts ?? false,
        ...(this.options.retryBaseDelayMs === undefined ? {} : { baseDelayMs: this.options.retryBaseDelayMs }),
      },
      ...(this.options.startStaggerMs === undefined ? {} : { startStaggerMs: this.options.startStaggerMs }),
      startSlots: this.options.startSlots ?? (this.options.startStaggerMs === undefined ? defaultStartSlots(Math.min(concurrency, entries.length)) : 0),
      ...((await this.workspaceStepsFor(summary, entries, signal)) ?? {}),
    });
    return runner.run(entries, turnOptions);
  }

  /** Runs on a repository, or with check/setup commands, get their steps around each turn (workspace-steps.ts). */
  private async workspaceStepsFor(
    summary: RunSummary,
    entries: readonly TurnEntry[],
    signal: AbortSignal | undefined,
  ): Promise<{ workspaceSteps: WorkspaceSteps } | undefined> {
    const hasCommands = entries.some((entry) => entry.task.check !== undefined || entry.task.setup !== undefined);
    if (summary.repo === undefined && !hasCommands) return undefined;
    const identity = summary.repo ? await commitIdentity(summary.repo.root).catch(() => herdIdentityEnv()) : {};
    const workspaceSteps = createWorkspaceSteps({
      summary,
      identity,
      inheritedEnv: this.options.inheritedEnv ?? process.env,
      env: this.options.env ?? {},
      envAllow: this.options.envAllow,
      killGraceMs: this.options.killGraceMs,
      signal: combineSignals(this.options.signal, signal),
    });
    return { workspaceSteps };
  }

  /** Warm processes keep the URL of the server they started with, so with keepAlive it outlives turns. */
  private sharedServer(simulate: SimulateOptions): Promise<SimulateServer> {
    const key = JSON.stringify(simulate);
    let server = this.sharedServers.get(key);
    if (!server) {
      server = startSimulateServer(simulate).then((started) => {
        started.unref();
        return started;
      });
      this.sharedServers.set(key, server);
    }
    return server;
  }

  /** Shared simulate servers close once no warm process and no turn needs them. */
  private async closeIdleServers(): Promise<void> {
    if (this.turnsRunning > 0 || this.warmPool?.size) return;
    const servers = [...this.sharedServers.values()];
    this.sharedServers.clear();
    await Promise.all(servers.map(async (server) => (await server.catch(() => undefined))?.close()));
  }

  private withDefaults(task: AgentTask): AgentTask {
    const withDefaults: AgentTask = { ...task };
    if (withDefaults.timeoutMs === undefined && this.options.timeoutMs !== undefined) withDefaults.timeoutMs = this.options.timeoutMs;
    if (withDefaults.idleTimeoutMs === undefined && this.options.idleTimeoutMs !== undefined) withDefaults.idleTimeoutMs = this.options.idleTimeoutMs;
    return withDefaults;
  }

  /** Resolve the claude binary up front (a UsageError before anything is created) when any task needs it. */
  private claudeBinFor(tasks: readonly AgentTask[]): string | undefined {
    if (!tasks.some((task) => (task.agent ?? 'claude') === 'claude')) return undefined;
    return resolveClaudeBin(this.options.claudeBin, this.options.inheritedEnv ?? process.env);
  }
}

function chooseAgents(summary: RunSummary, wanted: string[] | undefined): AgentResult[] {
  if (!wanted || wanted.length === 0) return summary.agents;
  const known = new Map(summary.agents.map((agent) => [agent.id, agent]));
  // In a workflow run, a task id stands for all the agents it expanded into (each/compete).
  const expand = (id: string) => (known.has(id) ? [id] : (summary.workflow?.tasks.find((task) => task.id === id)?.agents ?? [id]));
  return [...new Set(wanted.flatMap(expand))].map((id) => {
    const agent = known.get(id);
    if (!agent) throw new UsageError(`run ${summary.runId} has no agent "${id}"; its agents are: ${[...known.keys()].join(', ')}`);
    return agent;
  });
}

/**
 * A stored task made runnable again: the new prompt, no seed files (they are already in the
 * workspace), and no "[redacted]" env values (secrets are never stored; the agent inherits
 * them from herd's environment instead, or the caller passes them with `env` again).
 */
function taskFromRecord(stored: AgentTask, prompt: string): AgentTask {
  const task: AgentTask = { ...stored, prompt, files: {} };
  if (stored.env) task.env = Object.fromEntries(Object.entries(stored.env).filter(([, value]) => value !== REDACTED));
  return task;
}

function pendingResult(id: string, workspace: string): AgentResult {
  return createResult({ id, workspace, status: 'pending' });
}

/** Tasks are kept in run.json for continue/resume; secret env values and seeded file bodies are not. */
function storableTask(task: AgentTask): AgentTask {
  const stored: AgentTask = { ...task };
  if (task.env) stored.env = redactEnvMap(task.env);
  if (task.files) stored.files = {};
  return stored;
}

function combineSignals(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
