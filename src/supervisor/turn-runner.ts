// One turn of a run: every chosen agent runs once (bounded by the pool), each result is
// written to run.json and events.jsonl the moment it arrives, events go to listeners, and
// the turn's totals close it. Owns the simulate server's and the event log's lifetime for
// the turn (unless the Supervisor lends a server that outlives it, for warm processes).
//
// The parts: emitter.ts (events out), attempt-launcher.ts (one attempt: env, gates, cold or
// warm), retry-loop.ts (attempts until one is final), agent-signals.ts (what a running
// agent's stream tells herd), turn-record.ts (the turn's part of the record).

import type { WarmPool } from '../attempt/warm-pool.js';
import { requireStructuredOutput } from '../attempt/cold-attempt.js';
import type { HerdEventListener } from '../events.js';
import { runBounded } from '../pool/pool.js';
import { RateLimitGate } from '../pool/rate-limit-gate.js';
import { StartGate } from '../pool/start-gate.js';
import { StartPacer } from '../pool/start-pacer.js';
import { computeTotals } from '../report/totals.js';
import { createResult, mergeAttempts } from '../results.js';
import { createRedactor, type Redactor } from '../secrets/redact.js';
import { startSimulateServer, type SimulateOptions, type SimulateServer } from '../simulate/server.js';
import { EventLog, RunFileWriter } from '../store/run-store.js';
import type { TurnEntry, TurnRunOptions } from '../turn.js';
import type { AgentResult, RunSummary, TurnSummary } from '../types.js';
import { createAgentSignals } from './agent-signals.js';
import { createAttemptLauncher, notStartedResult } from './attempt-launcher.js';
import { createEmitter } from './emitter.js';
import type { RetryPolicy } from './retry-policy.js';
import { runWithRetries } from './retry-loop.js';
import { openTurn, orderLike, placeResult, reopenTurn, runStatus } from './turn-record.js';
import type { WorkspaceSteps } from './workspace-steps.js';

export interface TurnRunnerOptions {
  summary: RunSummary;
  runHome: string;
  claudeBin: string | undefined;
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
  /** Runs on a repository, or with check/setup commands: what happens around each agent's turn (workspace-steps.ts). */
  workspaceSteps?: WorkspaceSteps;
}

export function createRunTurnRunner(options: TurnRunnerOptions): { run: (entries: TurnEntry[], turnOptions?: TurnRunOptions) => Promise<RunSummary> } {
  const { summary, runHome } = options;
  // Stored tasks carry "[redacted]" for secrets; the real values arrive with the entries in run().
  // A plain copy: reading process.env goes through a native getter per variable, once per agent otherwise.
  const inheritedEnv: NodeJS.ProcessEnv = { ...options.inheritedEnv };
  let redact = createRedactor(inheritedEnv, options.env);
  const redactNow: Redactor = (text) => redact(text);
  const writer = new RunFileWriter(runHome, redactNow);
  const log = new EventLog(runHome, redactNow);
  const emit = createEmitter(summary.runId, options.listeners, log);
  const rateLimitGate = new RateLimitGate((untilTs, reason) => emit({ type: 'run.waiting', untilTs, reason }));
  const signals = createAgentSignals({ summary, writer, emit, gate: rateLimitGate, redact: redactNow });
  const launchAttempt = createAttemptLauncher({
    summary,
    runHome,
    claudeBin: options.claudeBin,
    inheritedEnv,
    env: options.env,
    envAllow: options.envAllow,
    killGraceMs: options.killGraceMs,
    signal: options.signal,
    warmPool: options.warmPool,
    startGate: options.startSlots ? new StartGate(options.startSlots) : undefined,
    rateLimitGate,
    signals,
    emit,
  });

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
    const server = options.simulateServer ?? (options.simulate ? await startSimulateServer(options.simulate) : undefined);
    try {
      return await runTurnWith(entries, turnOptions, server);
    } finally {
      if (server !== options.simulateServer) await server?.close();
    }
  }

  async function runTurnWith(entries: TurnEntry[], turnOptions: TurnRunOptions, server: SimulateServer | undefined): Promise<RunSummary> {
    const started = performance.now();
    const resuming = turnOptions.resumeTurn === true && summary.turns.length > 0;
    const turn = resuming ? summary.turns.at(-1)! : openTurn(summary, entries, turnOptions.prompt);
    const previousResults = resuming ? reopenTurn(turn, entries) : new Map<string, AgentResult>();
    // Wall time so far is kept current in every write, so a run killed mid-way and resumed adds up its segments.
    const wallBeforeMs = turn.wallMs ?? 0;
    const updateWall = (): void => {
      turn.wallMs = wallBeforeMs + (performance.now() - started);
    };
    let recordError: Error | undefined;

    /** The result is on disk (run.json and a synced events.jsonl) before this resolves. */
    async function record(result: AgentResult): Promise<void> {
      placeResult(summary, turn, result);
      emit({ type: 'agent.end', agentId: result.id, turn: turn.turn, result });
      updateWall();
      await Promise.all([writer.write(summary), log.sync()]);
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
    });
    for (const message of turnOptions.warnings ?? []) emit({ type: 'run.warning', message });
    for (const entry of entries) emit({ type: 'agent.queued', agentId: entry.task.id, turn: turn.turn });

    // Results come back in the tasks' order, whatever order they finished in.
    const runOne = (entry: TurnEntry) => runEntry(entry, server);
    const pacer = new StartPacer(options.startStaggerMs ?? 0);
    const beforeStart = async () => {
      await rateLimitGate.wait(options.signal);
      await pacer.wait(options.signal);
    };
    const pool = { concurrency: options.concurrency, beforeStart };
    if (turnOptions.schedule) await turnOptions.schedule(entries, runOne, { ...pool, signal: options.signal });
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
    if (entry.decide) return entry.decide();
    if (options.signal?.aborted) return notStartedResult(entry);
    const previous = previousResults.get(task.id);
    let result: AgentResult;
    try {
      const redactText = redact;
      const runAttempts = async (): Promise<AgentResult> => {
        const attempts = await runWithRetries((attempt) => launchAttempt({ entry, turnNumber: turn.turn, attempt, server, redact: redactText }), {
          agentId: task.id,
          retry: options.retry,
          gate: rateLimitGate,
          emit,
          signal: options.signal,
          retryHintMs: () => signals.retryHintMs(task.id),
        });
        return entry.check ? entry.check(attempts) : requireStructuredOutput(task, attempts);
      };
      const steps = options.workspaceSteps;
      result = steps ? await steps({ entry, turn: turn.turn, earlier: previous, redact: redactText, run: runAttempts }) : await runAttempts();
    } catch (error) {
      const message = redact(`herd failed while running this agent: ${error instanceof Error ? error.message : String(error)}`);
      result = createResult({ id: task.id, workspace: entry.workspace, status: 'failed', attempts: 1, error: { reason: 'internal', message } });
    }
    const recordedPrompt = turn.prompt ?? summary.tasks.find((stored) => stored.id === task.id)?.prompt;
    if (task.prompt !== recordedPrompt) result = { ...result, prompt: task.prompt };
    return previous ? mergeAttempts(previous, result) : result;
  }

  async function closeTurn(turn: TurnSummary, updateWall: () => void): Promise<RunSummary> {
    turn.endedAt = new Date().toISOString();
    updateWall();
    turn.totals = computeTotals(turn.agents, turn.wallMs!, options.concurrency);
    summary.totals = turn.totals;
    summary.endedAt = turn.endedAt;
    summary.status = runStatus(turn.agents, options.signal);
    await writer.write(summary);
    // Listeners and callers get what run.json holds: secrets typed into prompts are redacted too.
    const redacted = JSON.parse(redactNow(JSON.stringify(summary))) as RunSummary;
    emit({ type: 'run.end', turn: turn.turn, summary: redacted });
    return redacted;
  }

  return { run };
}
