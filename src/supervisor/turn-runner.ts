// One turn of a run: every chosen agent runs once (bounded by the pool), each result is
// written to run.json and events.jsonl the moment it arrives, events go to listeners, and
// the turn's totals close it. Owns the simulate server's and the event log's lifetime for
// the turn (unless the Supervisor lends a server that outlives it, for warm processes).
//
// The parts: emitter.ts (events out), attempt-launcher.ts (one attempt: env, gates, cold or
// warm), retry-loop.ts (attempts until one is final), agent-signals.ts (what a running
// agent's stream tells herd), turn-record.ts (the turn's part of the record), budget.ts (the
// run's spending against its cap: when reached, nothing new starts and running agents stop).

import type { AgentBinary, VendorKind } from '../agents/agent-bin.js';
import type { WarmPool } from '../attempt/warm-pool.js';
import { requireStructuredOutput } from '../attempt/cold-attempt.js';
import type { HerdEventListener } from '../events.js';
import { runBounded } from '../pool/pool.js';
import { RateLimitGate } from '../pool/rate-limit-gate.js';
import { StartGate } from '../pool/start-gate.js';
import { StartPacer } from '../pool/start-pacer.js';
import { computeTotals } from '../report/totals.js';
import { createResult, mergeAttempts } from '../results.js';
import { createRedactor, redactJson, type SecretRedactor } from '../secrets/redact.js';
import { startSimulateServer, type SimulateOptions, type SimulateServer } from '../simulate/server.js';
import { EVENTS_FILE, EventLog, RUN_FILE, RunFileWriter } from '../store/run-store.js';
import type { QueueClient } from '../queue/client.js';
import type { TurnEntry, TurnRunOptions } from '../turn.js';
import type { PriceTable } from '../agents/prices.js';
import type { SandboxOptions } from '../sandbox/bwrap.js';
import { formatUsd } from '../report/format.js';
import type { AgentResult, RunBudgetLimits, RunSummary, TurnSummary } from '../types.js';
import { createAgentSignals } from './agent-signals.js';
import { RunBudget, recordedCostUsd, type BudgetListener } from './budget.js';
import { createAttemptLauncher, notStartedResult, type AttemptRequest } from './attempt-launcher.js';
import { createQueuedAttemptLauncher } from './queued-attempt-launcher.js';
import { createEmitter, type Emit } from './emitter.js';
import type { RetryPolicy } from './retry-policy.js';
import { runWithRetries } from './retry-loop.js';
import { openTurn, orderLike, placeResult, reopenTurn, runStatus } from './turn-record.js';
import type { WorkspaceSteps } from './workspace-steps.js';

export interface TurnRunnerOptions {
  summary: RunSummary;
  runHome: string;
  claudeBin: string | undefined;
  /** The codex and gemini executables the tasks need. */
  agentBins?: ReadonlyMap<VendorKind, AgentBinary>;
  listeners: ReadonlySet<HerdEventListener>;
  simulate: SimulateOptions | undefined;
  inheritedEnv: NodeJS.ProcessEnv;
  env: Record<string, string>;
  envAllow: string[] | undefined;
  killGraceMs: number | undefined;
  concurrency: number;
  signal: AbortSignal | undefined;
  retry: RetryPolicy;
  /** Space agent starts by this much (0: all at once). */
  startStaggerMs?: number;
  /** At most this many claude agents in start-up at once (until their first output line); 0 or absent: no limit. See pool/start-gate.ts. */
  startSlots?: number;
  /** Keep claude processes alive between turns in this pool (Supervisor keepAlive). */
  warmPool?: WarmPool;
  /** A simulate server that outlives the turn (warm processes keep talking to it); used instead of starting one. */
  simulateServer?: SimulateServer;
  /** Run every attempt on the workers of this queue instead of here (`--queue`); they simulate, if asked, themselves. */
  queue?: QueueClient;
  /** The run's spending limits (none: spending is only tracked). */
  budget?: RunBudgetLimits;
  /** Prices for the running estimate of spending. */
  prices: PriceTable;
  /** How sandboxed tasks run (extra paths, bwrap executable). */
  sandbox?: SandboxOptions;
  /** Runs on a repository, or with check/setup commands: what happens around each agent's turn (workspace-steps.ts). */
  workspaceSteps?: WorkspaceSteps;
}

export function createRunTurnRunner(options: TurnRunnerOptions): { run: (entries: TurnEntry[], turnOptions?: TurnRunOptions) => Promise<RunSummary> } {
  const { summary, runHome } = options;
  // Stored tasks carry "[redacted]" for secrets; the real values arrive with the entries in run().
  // A plain copy: reading process.env goes through a native getter per variable, once per agent otherwise.
  const inheritedEnv: NodeJS.ProcessEnv = { ...options.inheritedEnv };
  let redact = createRedactor(inheritedEnv, options.env);
  // The redactor of the current turn (its tasks' env values count too), for parts made once.
  const redactNow: SecretRedactor = Object.assign((text: string) => redact(text), {
    tail: (text: string) => redact.tail(text),
    json: (text: string) => redact.json(text),
  });
  // run.json and events.jsonl are JSON text: redacted string by string, so they stay valid JSON.
  const writer = new RunFileWriter(runHome, redactNow.json);
  const log = new EventLog(runHome, redactNow.json);
  // The first failure to write events.jsonl: said at once (run.warning), and the run ends failed with it.
  let logError: string | undefined;
  const onLogError = (error: unknown): void => {
    if (logError !== undefined) return;
    logError = `cannot write ${EVENTS_FILE}: ${error instanceof Error ? error.message : String(error)}`;
    emit({ type: 'run.warning', message: `${logError}; the agents go on and their results are kept in ${RUN_FILE}, but this run will end failed` });
  };
  const emit = createEmitter(summary.runId, options.listeners, log, onLogError, redactNow);
  const rateLimitGate = new RateLimitGate((untilTs, reason) => emit({ type: 'run.waiting', untilTs, reason }));
  const maxCostUsd = options.budget?.maxCostUsd;
  const budget = new RunBudget({
    ...options.budget,
    spentBeforeUsd: recordedCostUsd(summary.turns),
    prices: options.prices,
    listener: budgetEvents(emit, maxCostUsd),
  });
  // What stops agents and starts: the user's cancel, or the cap. Only the first makes the run "cancelled".
  const signal = options.signal ? AbortSignal.any([options.signal, budget.signal]) : budget.signal;
  const signals = createAgentSignals({ summary, writer, emit, gate: rateLimitGate, redact: redactNow, budget });
  const launchLocally = createAttemptLauncher({
    summary,
    runHome,
    claudeBin: options.claudeBin,
    ...(options.agentBins ? { agentBins: options.agentBins } : {}),
    ...(options.prices ? { prices: options.prices } : {}),
    inheritedEnv,
    env: options.env,
    envAllow: options.envAllow,
    killGraceMs: options.killGraceMs,
    signal,
    warmPool: options.warmPool,
    startGate: options.startSlots ? new StartGate(options.startSlots) : undefined,
    rateLimitGate,
    signals,
    emit,
    sandbox: options.sandbox,
  });
  /** Local, or through the queue for the turn under way. */
  let launchAttempt: (request: AttemptRequest) => Promise<AgentResult> = launchLocally;

  async function run(entries: TurnEntry[], turnOptions: TurnRunOptions = {}): Promise<RunSummary> {
    redact = createRedactor(inheritedEnv, options.env, ...entries.map((entry) => entry.task.env));
    try {
      return await runTurn(entries, turnOptions);
    } finally {
      // Closed on every path, a failed write included: no open handle outlives the turn.
      await log.close().catch(() => undefined);
    }
  }

  async function runTurn(entries: TurnEntry[], turnOptions: TurnRunOptions): Promise<RunSummary> {
    if (options.queue) return runQueuedTurn(options.queue, entries, turnOptions);
    const server = options.simulateServer ?? (options.simulate ? await startSimulateServer(options.simulate) : undefined);
    try {
      return await runTurnWith(entries, turnOptions, server);
    } finally {
      if (server !== options.simulateServer) await server?.close();
    }
  }

  async function runQueuedTurn(queue: QueueClient, entries: TurnEntry[], turnOptions: TurnRunOptions): Promise<RunSummary> {
    const follower = await queue.follow(summary.runId);
    launchAttempt = createQueuedAttemptLauncher({
      summary,
      follower,
      env: options.env,
      killGraceMs: options.killGraceMs,
      signal,
      signals,
      emit,
    });
    try {
      return await runTurnWith(entries, turnOptions, undefined);
    } finally {
      launchAttempt = launchLocally;
      await follower.close();
    }
  }

  async function runTurnWith(entries: TurnEntry[], turnOptions: TurnRunOptions, server: SimulateServer | undefined): Promise<RunSummary> {
    const started = performance.now();
    // A herd failure of an earlier turn is not this turn's.
    delete summary.error;
    const resuming = turnOptions.resumeTurn === true && summary.turns.length > 0;
    const turn = resuming ? summary.turns.at(-1)! : openTurn(summary, entries, turnOptions.prompt);
    const previousResults = resuming ? reopenTurn(turn, entries) : new Map<string, AgentResult>();
    // Wall time so far is kept current in every write, so a run killed mid-way and resumed adds up its segments.
    const wallBeforeMs = turn.wallMs ?? 0;
    const updateWall = (): void => {
      turn.wallMs = wallBeforeMs + (performance.now() - started);
    };
    let recordError: Error | undefined;

    /**
     * The result is on disk (run.json and a synced events.jsonl) before this resolves, and before
     * agent.end goes out: a listener that reads run.json on agent.end finds the result there.
     */
    async function record(result: AgentResult): Promise<void> {
      placeResult(summary, turn, result);
      updateWall();
      try {
        await Promise.all([writer.write(summary), log.sync().catch(onLogError)]);
      } finally {
        emit({ type: 'agent.end', agentId: result.id, turn: turn.turn, result });
      }
    }

    async function runEntry(entry: TurnEntry, server: SimulateServer | undefined): Promise<AgentResult> {
      const result = await settleEntry(entry, turn, server, previousResults);
      try {
        await record(result);
      } catch (error) {
        // Workers must not throw (the pool would abandon running agents); the run ends with it later.
        recordError ??= error instanceof Error ? error : new Error(String(error));
      }
      return result;
    }

    await writer.write(summary);
    emit({
      type: 'run.start',
      agents: entries.map((entry) => entry.task.id),
      turn: turn.turn,
      concurrency: Math.min(options.concurrency, entries.length),
      simulated: summary.simulated,
      ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    });
    for (const message of turnOptions.warnings ?? []) emit({ type: 'run.warning', message });
    for (const entry of entries) emit({ type: 'agent.queued', agentId: entry.task.id, turn: turn.turn });
    // A run that already spent its cap starts nothing.
    budget.check();

    // Results come back in the tasks' order, whatever order they finished in.
    const runOne = (entry: TurnEntry) => runEntry(entry, server);
    const pacer = new StartPacer(options.startStaggerMs ?? 0);
    const beforeStart = async () => {
      await rateLimitGate.wait(signal);
      await pacer.wait(signal);
    };
    const pool = { concurrency: options.concurrency, beforeStart };
    if (turnOptions.schedule) await turnOptions.schedule(entries, runOne, { ...pool, signal });
    else await runBounded(entries, runOne, { ...pool, priority: (entry) => entry.task.priority ?? 0 });
    turn.agents = orderLike(turn.planned, turn.agents);
    // A result that could not be written stops the run, but only after every agent has ended.
    if (recordError !== undefined) throw recordError;
    return closeTurn(turn, updateWall);
  }

  /** Run one entry to its final result. Never throws: a throw inside herd becomes this agent's failure. */
  async function settleEntry(
    entry: TurnEntry,
    turn: TurnSummary,
    server: SimulateServer | undefined,
    previousResults: ReadonlyMap<string, AgentResult>,
  ): Promise<AgentResult> {
    const { task } = entry;
    if (entry.skip !== undefined) {
      return createResult({
        id: task.id,
        workspace: entry.workspace,
        status: 'skipped',
        error: { reason: entry.skipReason ?? 'no-session', message: entry.skip },
      });
    }
    // A pick decides without running an agent (a workflow's `pick: check`).
    if (entry.decide) return entry.decide();
    let result = signal.aborted ? notStartedResult(entry) : await runAttempts(entry, turn, server, previousResults);
    // Stopped (or never started) by the cap, not by the user: recorded as such, so resume goes on with it.
    if (result.status === 'cancelled' && budget.stopped && !options.signal?.aborted) result = budget.asStopped(result);
    const previous = previousResults.get(task.id);
    // Not started after all (cancelled, or the cap): what an earlier segment recorded (time, money, session) stays, with the new status.
    // A failed setup (no attempt either) is recorded with it.
    if (result.attempts === 0)
      return previous && result.error ? { ...previous, status: result.status, error: result.error, ...(result.setup ? { setup: result.setup } : {}) } : result;
    const recordedPrompt = turn.prompt ?? summary.tasks.find((stored) => stored.id === task.id)?.prompt;
    if (task.prompt !== recordedPrompt) result = { ...result, prompt: task.prompt };
    return previous ? mergeAttempts(previous, result) : result;
  }

  async function runAttempts(
    entry: TurnEntry,
    turn: TurnSummary,
    server: SimulateServer | undefined,
    previousResults: ReadonlyMap<string, AgentResult>,
  ): Promise<AgentResult> {
    const { task } = entry;
    try {
      const redactText = redact;
      const priorAttempts = previousResults.get(task.id)?.attempts ?? 0;
      // Each attempt's reported cost replaces the budget's running estimate of it.
      const attemptOnce = async (attempt: number) =>
        budget.settle(task.id, await launchAttempt({ entry, turnNumber: turn.turn, attempt, priorAttempts, server, redact: redactText }));
      const attemptAll = async (): Promise<AgentResult> => {
        const result = await runWithRetries(attemptOnce, {
          agentId: task.id,
          retry: options.retry,
          gate: rateLimitGate,
          emit,
          signal,
          retryHintMs: () => signals.retryHintMs(task.id),
        });
        return entry.check ? entry.check(result) : requireStructuredOutput(task, result);
      };
      // On a repository (or with check/setup commands) the attempts run inside the workspace steps:
      // prepare the worktree and setup before, record the change and run the check after.
      const steps = options.workspaceSteps;
      return steps ? await steps({ entry, turn: turn.turn, earlier: previousResults.get(task.id), redact: redactText, run: attemptAll }) : await attemptAll();
    } catch (error) {
      const message = redact(`herd failed while running this agent: ${error instanceof Error ? error.message : String(error)}`);
      return createResult({ id: task.id, workspace: entry.workspace, status: 'failed', attempts: 1, error: { reason: 'internal', message } });
    }
  }

  async function closeTurn(turn: TurnSummary, updateWall: () => void): Promise<RunSummary> {
    turn.endedAt = new Date().toISOString();
    updateWall();
    turn.totals = computeTotals(turn.agents, turn.wallMs!, options.concurrency);
    summary.totals = turn.totals;
    summary.endedAt = turn.endedAt;
    summary.status = runStatus(turn.agents, options.signal);
    if (logError !== undefined) {
      // A cancelled run stays cancelled (resume finishes it); otherwise the lost events fail it.
      if (summary.status !== 'cancelled') summary.status = 'failed';
      summary.error = logError;
    }
    await writer.write(summary);
    // Listeners and callers get what run.json holds: secrets typed into prompts are redacted too.
    const redacted = redactJson(summary, redactNow);
    emit({ type: 'run.end', turn: turn.turn, summary: redacted });
    return redacted;
  }

  return { run };
}

/** The budget's news as events: a limit crossed (run.budget), an agent's spending (agent.cost). */
function budgetEvents(emit: Emit, maxCostUsd: number | undefined): BudgetListener {
  return {
    onLimit: (level, spentUsd, limitUsd) => {
      const message =
        level === 'cap'
          ? `the run reached its spending cap: ${formatUsd(spentUsd)} of ${formatUsd(limitUsd)}; starting no more agents and stopping the running ones`
          : `the run has spent ${formatUsd(spentUsd)}, past the warning level of ${formatUsd(limitUsd)}`;
      emit({ type: 'run.budget', level, spentUsd: round6(spentUsd), limitUsd, message });
    },
    onCost: (agentId, costUsd, runCostUsd) =>
      emit({ type: 'agent.cost', agentId, costUsd: round6(costUsd), runCostUsd: round6(runCostUsd), ...(maxCostUsd === undefined ? {} : { maxCostUsd }) }),
  };
}

const round6 = (usd: number) => Math.round(usd * 1e6) / 1e6;
