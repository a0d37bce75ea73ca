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
import { resolveAgentBin, type AgentBinary, type VendorKind } from '../agents/agent-bin.js';
import { resolveClaudeBin } from '../agents/claude-bin.js';
import { UsageError } from '../errors.js';
import type { HerdEventListener } from '../events.js';
import { defaultConcurrency, defaultStartSlots, findNulByte, parsePositiveInt, validateId, validateTasks } from '../options.js';
import { REDACTED, redactEnvMap } from '../secrets/redact.js';
import { createRunId, readRun, RunFileWriter } from '../store/run-store.js';
import { lockRun } from '../store/run-lock.js';
import { checkRunPaths } from '../store/run-dirs.js';
import { releaseCreatedRun } from '../store/run-clean.js';
import { computeTotals } from '../report/totals.js';
import { createResult } from '../results.js';
import type { AgentResult, AgentTask, RepoOptions, RunSummary } from '../types.js';
import { commitIdentity, excludeFromStatus, herdIdentityEnv } from '../repo/repository.js';
import { openRunRepository, validateWorkspaceCommands, type RunRepository } from './run-repository.js';
import { createWorkspaceSteps, type WorkspaceSteps } from './workspace-steps.js';
import { createAgentWorkspace, createPrivateDirectory, createRunHome, removeEmptyRunHome, seedFiles } from '../workspace/workspace.js';
import { startSimulateServer, type SimulateOptions, type SimulateServer } from '../simulate/server.js';
import { WarmPool } from '../attempt/warm-pool.js';
import type { QueueClient } from '../queue/client.js';
import { parseQueueUrl, type QueueUrl } from '../queue/queue-url.js';
import { createWorkflowResumeScheduler, runWorkflow, type PreparedRun, type WorkflowRunOptions } from '../workflow/run-workflow.js';
import type { Workflow, WorkflowSpec } from '../workflow/spec.js';
import { mergePrices, type PriceTable } from '../agents/prices.js';
import { bwrapBin, type SandboxOptions } from '../sandbox/bwrap.js';
import { probeSandbox } from '../sandbox/probe.js';

export interface SupervisorOptions {
  /** Where runs live (default: $HERD_HOME or ./workspaces). */
  workspaceRoot?: string;
  /** Agents at once (default: all, as many as free memory holds; see defaultConcurrency). */
  concurrency?: number;
  claudeBin?: string;
  /** The codex and gemini executables (default: $HERD_CODEX_BIN / $HERD_GEMINI_BIN, PATH, node_modules). */
  codexBin?: string;
  geminiBin?: string;
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
  /**
   * Run the agents on `herd worker`s of this queue (redis:// or rediss:// URL) instead of here;
   * runs are recorded here as local ones are. No keepAlive, start gate or claude binary needed here.
   */
  queue?: string;
  /**
   * Spending cap for the whole run, in USD, over everything it records (all turns): when what
   * was spent plus the running estimate reaches it, nothing new starts and running agents are
   * stopped and recorded as 'budget' (see README, Guardrails). Kept in the run record: later
   * turns and resumes keep it unless given another.
   */
  maxCostUsd?: number;
  /** Emit a run.budget warning (once) when the run's spending crosses this. */
  warnCostUsd?: number;
  /**
   * Prices (USD per million tokens) over herd's own table (agents/prices.ts): for the running
   * estimate of spending, and the cost of CLIs that report tokens but no cost (codex, gemini).
   */
  prices?: PriceTable;
  /**
   * Run every agent under bubblewrap (tasks may say `sandbox: false`): see README, Guardrails.
   * Checked before anything starts: a UsageError when bwrap is missing or cannot work here.
   */
  sandbox?: boolean | SandboxOptions;
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
  /** Locks of runs this Supervisor created, taken with the directory and held until their first turn ends. */
  private readonly creationLocks = new Map<string, () => Promise<void>>();
  private readonly queueUrl: QueueUrl | undefined;
  private queueClient: Promise<QueueClient> | undefined;
  /** codex and gemini executables, resolved once a task needs them. */
  private readonly agentBins = new Map<VendorKind, AgentBinary>();

  constructor(private readonly options: SupervisorOptions = {}) {
    this.workspaceRoot = path.resolve(options.workspaceRoot ?? defaultWorkspaceRoot(options.inheritedEnv ?? process.env));
    if (options.concurrency !== undefined) parsePositiveInt('concurrency', options.concurrency);
    if (options.keepAliveIdleMs !== undefined) parsePositiveInt('keepAliveIdleMs', options.keepAliveIdleMs, Number.MAX_SAFE_INTEGER);
    if (options.startSlots !== undefined && !(Number.isInteger(options.startSlots) && options.startSlots >= 0)) {
      throw new UsageError(`startSlots: expected a whole number of 0 or more (0: no limit), got ${JSON.stringify(options.startSlots)}`);
    }
    for (const field of ['maxCostUsd', 'warnCostUsd'] as const) {
      const value = options[field];
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new UsageError(`${field}: expected an amount of USD above 0, got ${JSON.stringify(value)}`);
    }
    if (options.onEvent) this.listeners.add(options.onEvent);
    this.queueUrl = options.queue === undefined ? undefined : parseQueueUrl(options.queue);
    // Agents on queue workers are started there, a process per turn.
    if (options.keepAlive && !this.queueUrl) {
      this.warmPool = new WarmPool({ idleMs: options.keepAliveIdleMs ?? DEFAULT_KEEP_ALIVE_IDLE_MS, onEmpty: () => void this.closeIdleServers() });
    }
  }

  /** Close every warm process (and the simulate server they used). Safe to call more than once, and without keepAlive. */
  async close(): Promise<void> {
    await this.warmPool?.closeAll();
    await this.closeIdleServers();
    const queue = this.queueClient;
    this.queueClient = undefined;
    await (await queue?.catch(() => undefined))?.close();
  }

  /** Connected before anything is created: an unreachable queue starts nothing. */
  private async connectQueue(): Promise<QueueClient | undefined> {
    if (!this.queueUrl) return undefined;
    // Loaded only here: bullmq and ioredis cost a local run nothing.
    const queueUrl = this.queueUrl;
    this.queueClient ??= import('../queue/client.js').then(({ QueueClient }) => QueueClient.connect(queueUrl));
    try {
      return await this.queueClient;
    } catch (error) {
      this.queueClient = undefined;
      throw error;
    }
  }

  /** Listen to every event of every run; returns a function that stops listening. */
  on(listener: HerdEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Run a batch of tasks as turn 1 of a new run. Agent failures are results, never throws for them. */
  async run(tasks: readonly AgentTask[], runOptions: RunOptions = {}): Promise<RunSummary> {
    validateTasks(tasks);
    // Before connecting: the answer does not depend on the queue being there.
    this.refuseQueuedWorkspaceSteps((runOptions.repo ?? this.options.repo) !== undefined, tasks);
    await this.connectQueue();
    const run = await this.createRun(tasks, runOptions.runId, runOptions.repo ?? this.options.repo);
    try {
      return await this.runTurn(
        run.summary,
        run.runHome,
        run.entries,
        run.claudeBin,
        runOptions.signal,
        run.warnings?.length ? { warnings: run.warnings } : {},
      );
    } finally {
      await this.releaseCreated(run.summary.runId);
    }
  }

  /**
   * Run a workflow (task file or WorkflowSpec): each task starts the moment its dependencies
   * finish, highest priority first; each/compete/judge expanded; see workflow/run-workflow.ts.
   * Bad graphs (cycles, unknown ids, missing values) are UsageErrors before anything starts.
   */
  async runWorkflow(workflow: WorkflowSpec | Workflow, runOptions: WorkflowRunOptions = {}): Promise<RunSummary> {
    await this.connectQueue();
    const created: string[] = [];
    try {
      return await runWorkflow(workflow, runOptions, {
        workspaceRoot: this.workspaceRoot,
        createRun: async (tasks, runId, repo) => {
          const run = await this.createRun(tasks, runId, repo ?? this.options.repo);
          created.push(runId);
          return run;
        },
        runTurn: (run, signal, turnOptions) =>
          this.runTurn(run.summary, run.runHome, run.entries, run.claudeBin, signal, {
            ...turnOptions,
            ...(run.warnings?.length ? { warnings: run.warnings } : {}),
          }),
      });
    } finally {
      for (const runId of created) await this.releaseCreated(runId);
    }
  }

  /** Release a created run's lock; a run that never got its record (it failed before) is removed, not left as debris. */
  private async releaseCreated(runId: string): Promise<void> {
    const release = this.creationLocks.get(runId);
    this.creationLocks.delete(runId);
    if (release) await releaseCreatedRun(this.workspaceRoot, runId, release);
  }

  /**
   * Validate everything, then create the run home (locked at once: a half-made run is never
   * taken for debris), one workspace per agent, and the run in memory (all agents pending).
   * Whatever fails after the directory exists removes it again: nothing is left to clean.
   */
  private async createRun(tasks: readonly AgentTask[], wantedRunId: string | undefined, repoOptions?: RepoOptions): Promise<PreparedRun> {
    validateTasks(tasks);
    validateWorkspaceCommands(tasks);
    this.refuseQueuedWorkspaceSteps(repoOptions !== undefined, tasks);
    const prepared = tasks.map((task) => this.withDefaults(task));
    const claudeBin = this.claudeBinFor(prepared);
    await this.checkSandbox(prepared);
    this.resolveVendorBins(prepared);
    const runId = wantedRunId === undefined ? createRunId() : validateId('run id', wantedRunId);
    // Checked before anything is created: a directory that is no repository, an unknown base, ids that make no branch.
    const repo = repoOptions === undefined ? undefined : await openRunRepository(repoOptions, runId, prepared, this.workspaceRoot);
    const runHome = await createRunHome(this.workspaceRoot, runId);
    // Taken before anything else can fail; released after the first turn (releaseCreated).
    this.creationLocks.set(
      runId,
      await lockRun(this.workspaceRoot, runId).catch(async (error: unknown) => {
        await removeEmptyRunHome(runHome);
        throw error;
      }),
    );
    try {
      return await this.populateRun(prepared, runId, runHome, claudeBin, repo);
    } catch (error) {
      await this.releaseCreated(runId);
      throw error;
    }
  }

  private async populateRun(
    prepared: AgentTask[],
    runId: string,
    runHome: string,
    claudeBin: string | undefined,
    repo: RunRepository | undefined,
  ): Promise<PreparedRun> {
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
    await this.connectQueue();
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

  /** The record of a run herd is about to act on: its paths must stay inside the run's directory. */
  private async readRunToAct(runId: string): Promise<RunSummary> {
    const summary = await readRun(this.workspaceRoot, runId);
    await checkRunPaths(this.workspaceRoot, runId, summary);
    return summary;
  }

  private async continueLocked(runId: string, prompt: string, continueOptions: ContinueOptions): Promise<RunSummary> {
    const summary = await this.readRunToAct(runId);
    const chosen = chooseAgents(summary, continueOptions.agents);
    const entries: TurnEntry[] = chosen.map((previous) => {
      const stored = summary.tasks.find((task) => task.id === previous.id) ?? { id: previous.id, prompt };
      const task = this.withDefaults(taskFromRecord(stored, prompt));
      const entry: TurnEntry = { task, workspace: previous.workspace };
      const kind = task.agent ?? 'claude';
      if (previous.sessionId !== undefined) entry.resumeSessionId = previous.sessionId;
      else if (kind !== 'command') entry.skip = `no session to continue: its first turn ended before ${kind} started a session`;
      return entry;
    });
    for (const entry of entries) {
      const nul = entry.skip === undefined ? findNulByte(entry.task) : undefined;
      if (nul) throw new UsageError(`agent "${entry.task.id}": ${nul}`);
    }
    const claudeBin = this.claudeBinFor(entries.map((entry) => entry.task));
    await this.checkSandbox(entries.map((entry) => entry.task));
    this.resolveVendorBins(entries.map((entry) => entry.task));
    summary.status = 'running';
    return this.runTurn(summary, path.join(this.workspaceRoot, runId), entries, claudeBin, continueOptions.signal, { prompt });
  }

  /**
   * Finish a run that was interrupted or killed: run again only the agents of its latest turn
   * that did not finish (and, with retryFailed, those that failed), continuing their sessions
   * where they have one, in their own workspaces, completing the same run record.
   */
  async resume(runId: string, resumeOptions: ResumeOptions = {}): Promise<RunSummary> {
    await this.connectQueue();
    return this.withRunLock(runId, () => this.resumeLocked(runId, resumeOptions));
  }

  private async resumeLocked(runId: string, resumeOptions: ResumeOptions): Promise<RunSummary> {
    const summary = await this.readRunToAct(runId);
    // Agents of a herd that was SIGKILLed may still be running: they must not run twice.
    // Our own warm ones are closed first, gently (the sweep would find them too).
    await this.warmPool?.closeRun(runId);
    // On queue workers (maybe this machine's) its agents are the workers' to end, and may be finishing.
    if (!this.queueUrl) await killTaggedProcesses(`${runId}/`, true);
    const turn = summary.turns.at(-1);
    // 'budget': stopped or not started at the spending cap; a higher --max-cost lets them finish.
    const unfinished = new Set<string>(['pending', 'running', 'cancelled', 'budget', ...(resumeOptions.retryFailed ? ['failed', 'timeout'] : [])]);
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
    await this.checkSandbox(entries.map((entry) => entry.task));
    this.resolveVendorBins(entries.map((entry) => entry.task));
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
    const queue = await this.connectQueue();
    // Through a queue the workers hold the limits: every agent is enqueued at once unless -c says otherwise.
    const concurrency = this.options.concurrency ?? (queue ? Math.max(1, entries.length) : defaultConcurrency(entries.length));
    const budget = this.budgetFor(summary, turnOptions);
    if (budget) summary.budget = budget;
    const runner = createRunTurnRunner({
      summary,
      runHome,
      claudeBin,
      agentBins: this.agentBins,
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
      startSlots: queue
        ? 0
        : (this.options.startSlots ?? (this.options.startStaggerMs === undefined ? defaultStartSlots(Math.min(concurrency, entries.length)) : 0)),
      ...(queue ? { queue } : {}),
      ...(budget ? { budget } : {}),
      prices: mergePrices(this.options.prices),
      ...(typeof this.options.sandbox === 'object' ? { sandbox: this.options.sandbox } : {}),
      ...((await this.workspaceStepsFor(summary, entries, signal)) ?? {}),
    });
    return runner.run(entries, turnOptions);
  }

  /** The run's limits: this Supervisor's options, else the workflow file's, else what the record kept. */
  private budgetFor(summary: RunSummary, turnOptions: TurnRunOptions): RunSummary['budget'] {
    const pick = (field: 'maxCostUsd' | 'warnCostUsd') => this.options[field] ?? turnOptions.budget?.[field] ?? summary.budget?.[field];
    const maxCostUsd = pick('maxCostUsd');
    const warnCostUsd = pick('warnCostUsd');
    if (maxCostUsd === undefined && warnCostUsd === undefined) return undefined;
    return { ...(maxCostUsd === undefined ? {} : { maxCostUsd }), ...(warnCostUsd === undefined ? {} : { warnCostUsd }) };
  }

  /**
   * A queue worker runs the agent in a workspace on its own machine, while the worktree, the
   * change record and the check would be made here: the two do not go together (yet).
   */
  private refuseQueuedWorkspaceSteps(onRepository: boolean, tasks: readonly AgentTask[]): void {
    if (this.options.queue === undefined) return;
    if (onRepository) throw new UsageError('--queue: agents on a repository (--repo, --copy) run here, not on queue workers; leave out one of them');
    const withCommand = tasks.find((task) => task.check !== undefined || task.setup !== undefined);
    if (withCommand)
      throw new UsageError(`--queue: task "${withCommand.id}" has a check or setup command, which runs here, not on queue workers; leave out one of them`);
  }

  /** Runs on a repository, or with check/setup commands, get their steps around each turn (workspace-steps.ts). */
  private async workspaceStepsFor(
    summary: RunSummary,
    entries: readonly TurnEntry[],
    signal: AbortSignal | undefined,
  ): Promise<{ workspaceSteps: WorkspaceSteps } | undefined> {
    const hasCommands = entries.some((entry) => entry.task.check !== undefined || entry.task.setup !== undefined);
    if (summary.repo === undefined && !hasCommands) return undefined;
    this.refuseQueuedWorkspaceSteps(
      summary.repo !== undefined,
      entries.map((entry) => entry.task),
    );
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
    const sandbox = this.options.sandbox;
    if (withDefaults.sandbox === undefined && sandbox)
      withDefaults.sandbox = typeof sandbox === 'object' && sandbox.network === false ? { network: false } : true;
    return withDefaults;
  }

  /** A sandboxed task needs a bwrap that works here: one line saying why not, before anything starts. */
  private async checkSandbox(tasks: readonly AgentTask[]): Promise<void> {
    if (!tasks.some((task) => task.sandbox)) return;
    const problem = await probeSandbox(bwrapBin(typeof this.options.sandbox === 'object' ? this.options.sandbox : undefined, this.options.inheritedEnv));
    if (problem !== undefined) throw new UsageError(problem);
  }

  /** Resolve the claude binary up front (a UsageError before anything is created) when any task needs it. */
  private claudeBinFor(tasks: readonly AgentTask[]): string | undefined {
    // Queue workers find their own.
    if (this.queueUrl) return undefined;
    if (!tasks.some((task) => (task.agent ?? 'claude') === 'claude')) return undefined;
    return resolveClaudeBin(this.options.claudeBin, this.options.inheritedEnv ?? process.env);
  }

  /** The same for codex and gemini: a missing CLI is a UsageError naming its npm package, before anything starts. */
  private resolveVendorBins(tasks: readonly AgentTask[]): void {
    const explicit = { codex: this.options.codexBin, gemini: this.options.geminiBin };
    for (const kind of ['codex', 'gemini'] as const) {
      if (this.agentBins.has(kind) || !tasks.some((task) => task.agent === kind)) continue;
      this.agentBins.set(kind, resolveAgentBin(kind, explicit[kind], this.options.inheritedEnv ?? process.env));
    }
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
