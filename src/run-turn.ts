// One turn of a run: every chosen agent runs once (bounded by the pool), each result is
// written to run.json and events.jsonl the moment it arrives, events go to listeners,
// and the turn's totals close it. Owns the simulate server's lifetime for the turn.

import { randomBytes } from 'node:crypto';
import type { AgentAdapter, ParsedSignal } from './agents/adapter.js';
import { createClaudeAdapter } from './agents/claude.js';
import { createCommandAdapter } from './agents/command.js';
import { buildAgentEnv } from './agent-env.js';
import type { HerdEvent, HerdEventInput, HerdEventListener } from './events.js';
import { runBounded } from './pool/pool.js';
import { createRedactor, type Redactor } from './redact.js';
import { executeAgentTurn } from './run-agent.js';
import { simulateEnv, startSimulateServer, type SimulateOptions, type SimulateServer } from './simulate/server.js';
import { EventLog, RunFileWriter } from './store/run-store.js';
import { computeTotals } from './totals.js';
import { emptyUsage, type AgentResult, type AgentTask, type RunSummary, type TurnSummary } from './types.js';

export interface TurnEntry {
  task: AgentTask;
  workspace: string;
  resumeSessionId?: string;
  /** Do not run; record as skipped with this reason. */
  skip?: string;
}

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
}

/** Events that are not worth a disk write each (one per agent output line). */
const NOT_LOGGED: ReadonlySet<HerdEvent['type']> = new Set(['agent.output']);

export async function createRunTurnRunner(options: TurnRunnerOptions) {
  const { summary, runHome } = options;
  const redact = createRedactor(options.inheritedEnv, options.env, ...summary.tasks.map((task) => task.env));
  const writer = new RunFileWriter(runHome, redact);
  const log = new EventLog(runHome, redact);
  const adapters = new Map<string, AgentAdapter>();
  const adapterFor = (task: AgentTask): AgentAdapter => {
    const kind = task.agent ?? 'claude';
    let adapter = adapters.get(kind);
    if (!adapter) {
      adapter = kind === 'command' ? createCommandAdapter() : createClaudeAdapter(options.claudeBin ?? 'claude');
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

  async function run(entries: TurnEntry[], prompt?: string): Promise<RunSummary> {
    const server = options.simulate ? await startSimulateServer(options.simulate) : undefined;
    const turnNumber = summary.turns.length + 1;
    const started = performance.now();
    const turn: TurnSummary = {
      turn: turnNumber,
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      agents: [],
      totals: computeTotals([], 0, 1),
    };
    if (prompt !== undefined) turn.prompt = prompt;
    summary.turns.push(turn);
    await writer.write(summary);
    emit({ type: 'run.start', agents: entries.map((entry) => entry.task.id), turn: turnNumber, concurrency: options.concurrency, simulated: summary.simulated });
    for (const entry of entries) emit({ type: 'agent.queued', agentId: entry.task.id, turn: turnNumber });

    try {
      // Results come back in the tasks' order, whatever order they finished in.
      turn.agents = await runBounded(entries, (entry) => runEntry(entry, turn, server, redact), {
        concurrency: options.concurrency,
        priority: (entry) => entry.task.priority ?? 0,
      });
    } finally {
      await server?.close();
    }

    turn.endedAt = new Date().toISOString();
    turn.totals = computeTotals(turn.agents, performance.now() - started, options.concurrency);
    summary.totals = turn.totals;
    summary.endedAt = turn.endedAt;
    summary.status = runStatus(summary.agents, options.signal);
    await writer.write(summary);
    emit({ type: 'run.end', turn: turnNumber, summary });
    await log.close();
    return summary;
  }

  async function runEntry(entry: TurnEntry, turn: TurnSummary, server: SimulateServer | undefined, redactText: Redactor): Promise<AgentResult> {
    const { task } = entry;
    let result: AgentResult;
    if (entry.skip !== undefined) {
      result = notRun(entry, 'skipped', { reason: 'no-session', message: entry.skip });
    } else if (options.signal?.aborted) {
      result = notRun(entry, 'cancelled', { reason: 'canceled', message: 'not started: the run was cancelled' });
    } else {
      result = await runAgentNow(entry, turn.turn, server, redactText);
    }
    await record(result, turn);
    return result;
  }

  async function runAgentNow(entry: TurnEntry, turnNumber: number, server: SimulateServer | undefined, redactText: Redactor): Promise<AgentResult> {
    const { task } = entry;
    const tag = `${summary.runId}/${task.id}/${randomBytes(4).toString('hex')}`;
    const simulated = server ? { ...simulateEnv(server, task.id), CLAUDE_CONFIG_DIR: summary.claudeConfigDir ?? `${options.runHome}/.claude-config` } : undefined;
    const env = buildAgentEnv({
      inherited: options.inheritedEnv,
      ...(options.envAllow ? { allow: options.envAllow } : {}),
      ...(simulated ? { simulate: simulated } : {}),
      extra: { ...options.env, HERD_RUN_ID: summary.runId, HERD_AGENT_ID: task.id },
      tag,
    });
    markRunning(task.id);
    emit({ type: 'agent.start', agentId: task.id, turn: turnNumber, attempt: 1, workspace: entry.workspace });
    return executeAgentTurn(task, {
      adapter: adapterFor(task),
      workspace: entry.workspace,
      env,
      tag,
      redact: redactText,
      ...(entry.resumeSessionId === undefined ? {} : { resumeSessionId: entry.resumeSessionId }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      onSignal: (signal) => emitSignal(task.id, signal),
    });
  }

  function emitSignal(agentId: string, signal: ParsedSignal): void {
    switch (signal.kind) {
      case 'session': {
        if (signal.agentVersion && !summary.agentVersion) summary.agentVersion = signal.agentVersion;
        const agent = summary.agents.find((candidate) => candidate.id === agentId);
        if (agent) agent.sessionId = signal.sessionId;
        emit({ type: 'agent.session', agentId, sessionId: signal.sessionId, ...(signal.model ? { model: signal.model } : {}) });
        return;
      }
      case 'output':
        emit({ type: 'agent.output', agentId, kind: signal.type });
        return;
      case 'tool':
        emit({ type: 'agent.tool', agentId, tool: signal.tool });
        return;
      case 'retry': {
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
    await Promise.all([writer.write(summary), log.sync()]);
  }

  return { run };
}

function notRun(entry: TurnEntry, status: 'skipped' | 'cancelled', error: NonNullable<AgentResult['error']>): AgentResult {
  const now = new Date().toISOString();
  return { id: entry.task.id, status, workspace: entry.workspace, costUsd: 0, usage: emptyUsage(), durationMs: 0, attempts: 0, startedAt: now, endedAt: now, error };
}

function runStatus(agents: readonly AgentResult[], signal: AbortSignal | undefined): RunSummary['status'] {
  if (signal?.aborted || agents.some((agent) => agent.status === 'cancelled')) return 'cancelled';
  return agents.every((agent) => agent.status === 'succeeded') ? 'succeeded' : 'failed';
}
