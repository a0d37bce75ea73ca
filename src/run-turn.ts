// One turn of a run: every chosen agent runs once (bounded by the pool), each result is
// written to run.json and events.jsonl the moment it arrives, events go to listeners,
// and the turn's totals close it. Owns the simulate server's lifetime for the turn (unless
// the Supervisor lends one that outlives it, for warm processes).

import { randomBytes } from 'node:crypto';
import type { AgentAdapter, ParsedSignal } from './agents/adapter.js';
import { createAdapter } from './agents/create-adapter.js';
import { buildAgentEnv } from './agent-env.js';
import type { HerdEvent, HerdEventInput, HerdEventListener } from './events.js';
import { runBounded } from './pool/pool.js';
import { RateLimitGate, sleep } from './pool/rate-limit-gate.js';
import { StartGate } from './pool/start-gate.js';
import { StartPacer } from './pool/start-pacer.js';
import { isTransientFailure, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { createRedactor, type Redactor } from './redact.js';
import { executeAgentTurn, requireStructuredOutput, type AgentTurnContext } from './run-agent.js';
import { executeWarmAgentTurn } from './warm/run-warm-turn.js';
import { warmKey, type WarmPool } from './warm/warm-pool.js';
import { simulateEnv, startSimulateServer, type SimulateOptions, type SimulateServer } from './simulate/server.js';
import { EventLog, RunFileWriter } from './store/run-store.js';
import { computeTotals } from './totals.js';
import { emptyUsage, type AgentResult, type AgentTask, type FailureReason, type RunSummary, type TurnSummary } from './types.js';

export interface TurnEntry {
  task: AgentTask;
  workspace: string;
  resumeSessionId?: string;
  /** Do not run; record as skipped with this reason. */
  skip?: string;
  /** The error reason recorded with `skip` (default 'no-session'; a workflow uses 'dependency'). */
  skipReason?: FailureReason;
  /** Look at a finished result before it is recorded (a workflow judge whose answer names no winner becomes failed). */
  check?: (result: AgentResult) => AgentResult;
}

/**
 * Decides when each entry runs (default: all through the pool by priority). A workflow
 * passes one that starts entries as their dependencies finish. `runOne` runs and records
 * one entry exactly as the default does; `pool` holds the limits every start must respect.
 */
export type TurnScheduler = (
  entries: TurnEntry[],
  runOne: (entry: TurnEntry) => Promise<AgentResult>,
  pool: { concurrency: number; beforeStart: () => Promise<void>; signal: AbortSignal | undefined },
) => Promise<void>;

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
}

export interface TurnRunOptions {
  /** The follow-up prompt of a continuation turn (turn 1 uses each task's own prompt). */
  prompt?: string;
  /** Finish the latest turn (herd resume) instead of starting a new one. */
  resumeTurn?: boolean;
  schedule?: TurnScheduler;
}

/** Without a Retry-After hint, how long a rate limit holds back new starts. */
const DEFAULT_RATE_LIMIT_HOLD_MS = 5_000;

/** Events that are not worth a disk write each (one per agent output line). */
const NOT_LOGGED: ReadonlySet<HerdEvent['type']> = new Set(['agent.output']);

export async function createRunTurnRunner(options: TurnRunnerOptions) {
  const { summary, runHome } = options;
  // Stored tasks carry "[redacted]" for secrets; the real values arrive with the entries in run().
  // A plain copy: reading process.env goes through a native getter per variable, once per agent otherwise.
  const inheritedEnv: NodeJS.ProcessEnv = { ...options.inheritedEnv };
  let redact = createRedactor(inheritedEnv, options.env);
  const redactNow: Redactor = (text) => redact(text);
  const writer = new RunFileWriter(runHome, redactNow);
  const log = new EventLog(runHome, redactNow);
  const startGate = options.startSlots ? new StartGate(options.startSlots) : undefined;
  const adapters = new Map<string, AgentAdapter>();
  const adapterFor = (task: AgentTask): AgentAdapter => {
    const kind = task.agent ?? 'claude';
    let adapter = adapters.get(kind);
    if (!adapter) {
      adapter = createAdapter(kind, () => options.claudeBin ?? 'claude');
      adapters.set(kind, adapter);
    }
    return adapter;
  };

  const emit = (input: HerdEventInput): void => {
    const event = { ...input, runId: summary.runId, ts: Date.now() } as HerdEvent;
    for (const listener of options.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the run.
      }
    }
    if (!NOT_LOGGED.has(event.type)) void log.append(event).catch(() => undefined);
  };

  async function run(entries: TurnEntry[], turnOptions: TurnRunOptions = {}): Promise<RunSummary> {
    redact = createRedactor(inheritedEnv, options.env, ...entries.map((entry) => entry.task.env));
    const server = options.simulateServer ?? (options.simulate ? await startSimulateServer(options.simulate) : undefined);
    const started = performance.now();
    const turn = turnOptions.resumeTurn && summary.turns.length > 0 ? reopenTurn(summary.turns.at(-1)!, entries) : openTurn(entries, turnOptions.prompt);
    // Wall time so far is kept current in every write, so a run killed mid-way and resumed adds up its segments.
    const wallBeforeMs = turn.wallMs ?? 0;
    updateWall = () => {
      turn.wallMs = wallBeforeMs + (performance.now() - started);
    };
    await writer.write(summary);
    emit({ type: 'run.start', agents: entries.map((entry) => entry.task.id), turn: turn.turn, concurrency: Math.min(options.concurrency, entries.length), simulated: summary.simulated });
    for (const entry of entries) emit({ type: 'agent.queued', agentId: entry.task.id, turn: turn.turn });

    try {
      // Results come back in the tasks' order, whatever order they finished in.
      const runOne = (entry: TurnEntry) => runEntry(entry, turn, server, redact);
      const pacer = new StartPacer(options.startStaggerMs ?? 0);
      const beforeStart = async () => {
        await gate.wait(options.signal);
        await pacer.wait(options.signal);
      };
      const pool = { concurrency: options.concurrency, beforeStart };
      if (turnOptions.schedule) await turnOptions.schedule(entries, runOne, { ...pool, signal: options.signal });
      else await runBounded(entries, runOne, { ...pool, priority: (entry) => entry.task.priority ?? 0 });
      turn.agents = orderLike(turn.planned, turn.agents);
    } finally {
      if (server !== options.simulateServer) await server?.close();
    }
    // A result that could not be written stops the run, but only after every agent has ended.
    if (recordError !== undefined) throw recordError;

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
    await log.close();
    return redacted;
  }

  let updateWall = (): void => {};
  let recordError: unknown;

  const gate = new RateLimitGate((untilTs, reason) => emit({ type: 'run.waiting', untilTs, reason }));

  function openTurn(entries: TurnEntry[], prompt: string | undefined): TurnSummary {
    const now = new Date().toISOString();
    const turn: TurnSummary = { turn: summary.turns.length + 1, startedAt: now, endedAt: now, planned: entries.map((entry) => entry.task.id), agents: [], totals: computeTotals([], 0, 1) };
    if (prompt !== undefined) turn.prompt = prompt;
    summary.turns.push(turn);
    return turn;
  }

  /** Earlier results of agents a resume runs again: their time and money still count. */
  const previousResults = new Map<string, AgentResult>();

  /** Resume: the agents being run again leave the turn's results; the rest stay as they are. */
  function reopenTurn(turn: TurnSummary, entries: TurnEntry[]): TurnSummary {
    const rerun = new Set(entries.map((entry) => entry.task.id));
    for (const agent of turn.agents) if (rerun.has(agent.id)) previousResults.set(agent.id, agent);
    turn.agents = turn.agents.filter((agent) => !rerun.has(agent.id));
    turn.planned = [...new Set([...(turn.planned ?? []), ...rerun])];
    return turn;
  }

  async function runEntry(entry: TurnEntry, turn: TurnSummary, server: SimulateServer | undefined, redactText: Redactor): Promise<AgentResult> {
    const { task } = entry;
    let result: AgentResult;
    if (entry.skip !== undefined) {
      result = notRun(entry, 'skipped', { reason: entry.skipReason ?? 'no-session', message: entry.skip });
    } else if (options.signal?.aborted) {
      result = notRun(entry, 'cancelled', { reason: 'canceled', message: 'not started: the run was cancelled' });
    } else {
      result = await runAgentNow(entry, turn.turn, server, redactText);
      result = entry.check ? entry.check(result) : requireStructuredOutput(task, result);
      const recordedPrompt = turn.prompt ?? summary.tasks.find((stored) => stored.id === task.id)?.prompt;
      if (task.prompt !== recordedPrompt) result = { ...result, prompt: task.prompt };
      const previous = previousResults.get(task.id);
      if (previous) result = mergeAttempts(previous, result);
    }
    try {
      await record(result, turn);
    } catch (error) {
      // Workers must not throw (the pool would abandon running agents); the run ends with it later.
      recordError ??= error;
    }
    return result;
  }

  async function runAgentNow(entry: TurnEntry, turnNumber: number, server: SimulateServer | undefined, redactText: Redactor): Promise<AgentResult> {
    let result: AgentResult | undefined;
    for (let attempt = 1; ; attempt += 1) {
      const attemptResult = await runAttempt(entry, turnNumber, attempt, server, redactText);
      result = result ? mergeAttempts(result, attemptResult) : attemptResult;
      if (attemptResult.error?.reason === 'rate-limit') gate.hold(retryDelayMs(attempt, options.retry, lastRetryHintMs.get(entry.task.id) ?? DEFAULT_RATE_LIMIT_HOLD_MS), `${entry.task.id} hit a rate limit`);
      if (attempt > options.retry.retries || options.signal?.aborted || !isTransientFailure(attemptResult, options.retry)) return result;
      const delayMs = retryDelayMs(attempt, options.retry, lastRetryHintMs.get(entry.task.id));
      const retry: HerdEventInput = { type: 'agent.retry', agentId: entry.task.id, attempt: attempt + 1, delayMs, source: 'herd' };
      if (attemptResult.error?.apiStatus !== undefined) retry.status = attemptResult.error.apiStatus;
      emit(retry);
      await sleep(delayMs, options.signal);
      // Cancelled during the backoff: keep the last attempt's result rather than start another.
      if (options.signal?.aborted) return result;
    }
  }

  async function runAttempt(entry: TurnEntry, turnNumber: number, attempt: number, server: SimulateServer | undefined, redactText: Redactor): Promise<AgentResult> {
    const { task } = entry;
    const tag = `${summary.runId}/${task.id}/${randomBytes(4).toString('hex')}`;
    const simulated = server ? { ...simulateEnv(server, task.id), CLAUDE_CONFIG_DIR: summary.claudeConfigDir ?? `${options.runHome}/.claude-config` } : undefined;
    const env = buildAgentEnv({
      inherited: inheritedEnv,
      ...(options.envAllow ? { allow: options.envAllow } : {}),
      ...(simulated ? { simulate: simulated } : {}),
      extra: { ...options.env, HERD_RUN_ID: summary.runId, HERD_AGENT_ID: task.id },
      tag,
    });
    // Waiting for a start slot is queueing, not running: the agent's clock starts after it.
    // Only claude's process start is the CPU-heavy one the gate is for (and it prints when it
    // is up); a turn that goes to a kept-alive process starts nothing.
    const startsProcess = !(options.warmPool && options.warmPool.hasIdle(warmKey(summary.runId, task.id)));
    const gated = startGate !== undefined && startsProcess && (task.agent ?? 'claude') === 'claude';
    const releaseStart = gated ? await startGate.acquire(options.signal) : () => undefined;
    // A rate limit may have been hit while it waited for the slot: that hold applies to it too.
    if (gated) await gate.wait(options.signal);
    if (options.signal?.aborted) {
      // Cancelled while it waited for a slot: it never started.
      releaseStart();
      return notRun(entry, 'cancelled', { reason: 'canceled', message: 'not started: the run was cancelled' });
    }
    markRunning(task.id);
    const adapter = adapterFor(task);
    const start: HerdEventInput = { type: 'agent.start', agentId: task.id, turn: turnNumber, attempt, workspace: entry.workspace };
    const context: AgentTurnContext = {
      adapter,
      workspace: entry.workspace,
      env,
      tag,
      attempt,
      redact: redactText,
      ...(entry.resumeSessionId === undefined ? {} : { resumeSessionId: entry.resumeSessionId }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      onSignal: (signal) => {
        // Its first line says the agent is up: the next one may start.
        releaseStart();
        emitSignal(task.id, signal);
      },
    };
    try {
      if (options.warmPool && adapter.warm) {
        // agent.start waits for the process: it tells which one (pid) and whether it was already warm.
        const onStart = ({ pid, reused }: { pid?: number; reused: boolean }) => {
          emit({ ...start, ...(pid === undefined ? {} : { pid }), ...(reused ? { warm: true } : {}) } as HerdEventInput);
        };
        return await executeWarmAgentTurn(task, { ...context, pool: options.warmPool, key: warmKey(summary.runId, task.id), onStart });
      }
      emit(start);
      return await executeAgentTurn(task, context);
    } finally {
      releaseStart();
    }
  }

  /** The latest Retry-After-like hint per agent: the delay claude announced in its last api_retry line. */
  const lastRetryHintMs = new Map<string, number>();

  function emitSignal(agentId: string, signal: ParsedSignal): void {
    switch (signal.kind) {
      case 'session': {
        if (signal.agentVersion && !summary.agentVersion) summary.agentVersion = signal.agentVersion;
        const agent = summary.agents.find((candidate) => candidate.id === agentId);
        if (agent && agent.sessionId !== signal.sessionId) {
          agent.sessionId = signal.sessionId;
          // On disk at once: if herd is killed now, resume continues this session instead of starting over.
          void writer.write(summary).catch(() => undefined);
        }
        emit({ type: 'agent.session', agentId, sessionId: signal.sessionId, ...(signal.model ? { model: signal.model } : {}) });
        return;
      }
      case 'output':
        emit(signal.excerpt === undefined ? { type: 'agent.output', agentId, kind: signal.type } : { type: 'agent.output', agentId, kind: signal.type, excerpt: redact(signal.excerpt) });
        return;
      case 'tool':
        emit({ type: 'agent.tool', agentId, tool: signal.tool });
        return;
      case 'retry': {
        if (signal.delayMs !== undefined) lastRetryHintMs.set(agentId, signal.delayMs);
        if (signal.status === 429 || signal.status === 529) gate.hold(signal.delayMs ?? DEFAULT_RATE_LIMIT_HOLD_MS, `${agentId} got HTTP ${signal.status} from the API`);
        const retry: HerdEventInput = { type: 'agent.retry', agentId, attempt: signal.attempt, source: 'agent' };
        if (signal.status !== undefined) retry.status = signal.status;
        if (signal.delayMs !== undefined) retry.delayMs = signal.delayMs;
        emit(retry);
        return;
      }
    }
  }

  function markRunning(agentId: string): void {
    const agent = summary.agents.find((candidate) => candidate.id === agentId);
    if (agent) {
      agent.status = 'running';
      agent.startedAt = new Date().toISOString();
    }
  }

  /** The result is on disk (run.json and a synced events.jsonl) before this resolves. */
  async function record(result: AgentResult, turn: TurnSummary): Promise<void> {
    turn.agents.push(result);
    const index = summary.agents.findIndex((agent) => agent.id === result.id);
    if (index === -1) summary.agents.push(result);
    else summary.agents[index] = result;
    emit({ type: 'agent.end', agentId: result.id, turn: turn.turn, result });
    updateWall();
    await Promise.all([writer.write(summary), log.sync()]);
  }

  return { run };
}

/** One result for all attempts: the last attempt's outcome, with time, money and tokens of all of them. */
function mergeAttempts(previous: AgentResult, latest: AgentResult): AgentResult {
  // An earlier segment that never started (cancelled in the queue) adds nothing, not even its time stamps.
  if (previous.attempts === 0) return latest.sessionId === undefined && previous.sessionId !== undefined ? { ...latest, sessionId: previous.sessionId } : latest;
  const usage = { ...latest.usage };
  for (const key of Object.keys(usage) as Array<keyof typeof usage>) usage[key] += previous.usage[key];
  const merged: AgentResult = { ...latest, startedAt: previous.startedAt, durationMs: previous.durationMs + latest.durationMs, costUsd: previous.costUsd + latest.costUsd, usage };
  const sessionId = latest.sessionId ?? previous.sessionId;
  if (sessionId !== undefined) merged.sessionId = sessionId;
  return merged;
}

function orderLike(ids: readonly string[] | undefined, results: AgentResult[]): AgentResult[] {
  if (!ids) return results;
  const position = new Map(ids.map((id, index) => [id, index]));
  return [...results].sort((a, b) => (position.get(a.id) ?? Infinity) - (position.get(b.id) ?? Infinity));
}

function notRun(entry: TurnEntry, status: 'skipped' | 'cancelled', error: NonNullable<AgentResult['error']>): AgentResult {
  const now = new Date().toISOString();
  return { id: entry.task.id, status, workspace: entry.workspace, costUsd: 0, usage: emptyUsage(), durationMs: 0, attempts: 0, startedAt: now, endedAt: now, error };
}

export function runStatus(agents: readonly AgentResult[], signal: AbortSignal | undefined): RunSummary['status'] {
  if (signal?.aborted || agents.some((agent) => agent.status === 'cancelled')) return 'cancelled';
  return agents.every((agent) => agent.status === 'succeeded') ? 'succeeded' : 'failed';
}
