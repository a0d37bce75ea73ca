// Starting one attempt of one agent: its environment (inherited, allow-listed, simulated,
// tagged so its escaped children can be found), the start gates (CPU start slots, rate-limit
// hold), and the choice between a kept-alive warm process and a cold one. The attempt itself
// (attempt/) knows nothing of runs.

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { AgentAdapter } from '../agents/adapter.js';
import type { AgentBinary, VendorKind } from '../agents/agent-bin.js';
import { claudeStatePaths } from '../agents/claude-config.js';
import { createAdapter } from '../agents/create-adapter.js';
import type { PriceTable } from '../agents/prices.js';
import { buildAgentEnv } from '../attempt/agent-env.js';
import { prepareAgentHome } from '../attempt/agent-home.js';
import { executeAgentTurn, type AgentTurnContext } from '../attempt/cold-attempt.js';
import { executeWarmAgentTurn } from '../attempt/warm-attempt.js';
import { warmKey, type WarmPool } from '../attempt/warm-pool.js';
import type { HerdEventInput } from '../events.js';
import type { RateLimitGate } from '../pool/rate-limit-gate.js';
import type { StartGate } from '../pool/start-gate.js';
import { createResult } from '../results.js';
import type { Redactor } from '../secrets/redact.js';
import { bwrapArgs, bwrapBin, type SandboxOptions } from '../sandbox/bwrap.js';
import { simulateEnv, type SimulateServer } from '../simulate/server.js';
import type { TurnEntry } from '../turn.js';
import type { AgentResult, AgentTask, RunSummary } from '../types.js';
import type { AgentSignals } from './agent-signals.js';
import type { Emit } from './emitter.js';
import { markRunning } from './turn-record.js';

export interface AttemptLauncherOptions {
  summary: RunSummary;
  runHome: string;
  claudeBin: string | undefined;
  /** The codex and gemini executables the run's tasks need, resolved up front. */
  agentBins?: ReadonlyMap<VendorKind, AgentBinary>;
  /** Prices for CLIs that report no cost (default: the built-in table). */
  prices?: PriceTable;
  /** A plain copy of the environment agents inherit. */
  inheritedEnv: NodeJS.ProcessEnv;
  env: Record<string, string>;
  envAllow: string[] | undefined;
  killGraceMs: number | undefined;
  signal: AbortSignal | undefined;
  warmPool: WarmPool | undefined;
  startGate: StartGate | undefined;
  rateLimitGate: RateLimitGate;
  signals: AgentSignals;
  emit: Emit;
  /** How sandboxed tasks (task.sandbox) run: extra paths, the bwrap executable. */
  sandbox: SandboxOptions | undefined;
}

/**
 * Agent types whose process start is CPU-heavy enough for the start gate (bench/vendors.ts, 2
 * cores): claude 0.75-1.3 CPU-s, gemini 1.5 CPU-s per start; codex (0.25 CPU-s) is not gated.
 */
const CPU_HEAVY_STARTS = new Set<string>(['claude', 'gemini']);

/** Under the run home: one private directory per agent (see AgentAdapter.prepare). */
export const AGENT_HOMES_DIR = '.agent-homes';

export interface AttemptRequest {
  entry: TurnEntry;
  turnNumber: number;
  attempt: number;
  /** Attempts this agent's turn made before it was resumed (a queued attempt numbers its job key on from them). */
  priorAttempts?: number;
  server: SimulateServer | undefined;
  redact: Redactor;
}

/** Existing paths as the kernel sees them (bwrap mounts on real paths); the missing ones left out. */
function realPaths(dirs: readonly string[]): string[] {
  return [...new Set(dirs.filter((dir) => existsSync(dir)).map((dir) => realpathSync(dir)))];
}

/**
 * The sandbox's /tmp is private and empty, so a program installed under /tmp (herd cloned
 * there, a script in /tmp) would vanish inside it: its top directory under /tmp is shown
 * read-only (e.g. /tmp/clone, which holds node_modules and the CLI's package files).
 */
function programUnderTmp(program: string | undefined): string[] {
  if (program === undefined || !path.isAbsolute(program) || !existsSync(program)) return [];
  const real = realpathSync(program);
  if (!real.startsWith('/tmp/')) return [];
  return [path.join('/tmp', real.slice('/tmp/'.length).split('/')[0]!)];
}

export function notStartedResult(entry: TurnEntry): AgentResult {
  const result = createResult({
    id: entry.task.id,
    workspace: entry.workspace,
    status: 'cancelled',
    error: { reason: 'canceled', message: 'not started: the run was cancelled' },
  });
  // The session it was to continue stays its latest: a later continue or resume goes on from there.
  if (entry.resumeSessionId !== undefined) result.sessionId = entry.resumeSessionId;
  return result;
}

export function createAttemptLauncher(options: AttemptLauncherOptions): (request: AttemptRequest) => Promise<AgentResult> {
  const { summary, warmPool, startGate } = options;
  const adapters = new Map<string, AgentAdapter>();
  const adapterFor = (task: AgentTask): AgentAdapter => {
    const kind = task.agent ?? 'claude';
    let adapter = adapters.get(kind);
    if (!adapter) {
      adapter = createAdapter(kind, (vendor) => {
        if (vendor === 'claude') return { file: options.claudeBin ?? 'claude' };
        const found = options.agentBins?.get(vendor);
        if (!found) throw new Error(`no ${vendor} executable was resolved for this run`);
        return found;
      });
      adapters.set(kind, adapter);
    }
    return adapter;
  };

  /** The agent's own directory in the run: vendor CLIs keep their configuration and sessions there. */
  const privateDirOf = (task: AgentTask) => path.join(options.runHome, AGENT_HOMES_DIR, task.id);

  async function environmentFor(adapter: AgentAdapter, task: AgentTask, tag: string, server: SimulateServer | undefined): Promise<Record<string, string>> {
    const home = await prepareAgentHome({
      adapter,
      task,
      dir: privateDirOf(task),
      inheritedEnv: options.inheritedEnv,
      ...(server ? { simulateUrl: server.url } : {}),
    });
    const claudeSimulated =
      server && adapter.name === 'claude'
        ? { ...simulateEnv(server, task.id), CLAUDE_CONFIG_DIR: summary.claudeConfigDir ?? `${options.runHome}/.claude-config` }
        : {};
    return buildAgentEnv({
      inherited: options.inheritedEnv,
      ...(options.envAllow ? { allow: options.envAllow } : {}),
      // Under --simulate nothing may point the agent elsewhere; otherwise --env may override herd's choices.
      ...(server ? { simulate: { ...claudeSimulated, ...home } } : {}),
      extra: { ...(server ? {} : home), ...options.env, HERD_RUN_ID: summary.runId, HERD_AGENT_ID: task.id },
      tag,
    });
  }

  /**
   * `bwrap ... --` for a sandboxed agent: its workspace, add-dirs, claude state and the extra
   * paths writable; every run under the workspace root hidden (other agents, run records).
   */
  /** The executable an agent of this task runs (absolute when herd knows it). */
  function programOf(task: AgentTask): string | undefined {
    const kind = task.agent ?? 'claude';
    if (kind === 'command') return task.command?.[0];
    if (kind === 'claude') return options.claudeBin;
    return options.agentBins?.get(kind)?.file;
  }

  function sandboxPrefix(entry: TurnEntry, env: Record<string, string | undefined>): string[] {
    const { task } = entry;
    // The agent sees its working directory as the kernel does (claude names its session directory after it).
    const workspace = realpathSync(entry.workspace);
    const claude = (task.agent ?? 'claude') === 'claude';
    const state = claude ? claudeStatePaths(env, workspace) : { writable: [], hidden: [], create: [] };
    for (const dir of state.create) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const absolute = (dirs: readonly string[] | undefined) => (dirs ?? []).map((dir) => path.resolve(workspace, dir));
    const setting = task.sandbox;
    const args = bwrapArgs({
      workspace,
      writable: realPaths([...absolute(task.addDirs), ...state.writable, ...absolute(options.sandbox?.writable), ...absolute(entry.sandboxPaths?.writable)]),
      readable: realPaths([...absolute(options.sandbox?.readable), ...absolute(entry.sandboxPaths?.readable), ...programUnderTmp(programOf(task))]),
      hidden: realPaths([summary.workspaceRoot, ...state.hidden]),
      // claude needs the model API; only a command agent can do without any network.
      network: claude || !(typeof setting === 'object' && setting.network === false),
    });
    return [bwrapBin(options.sandbox, options.inheritedEnv), ...args];
  }

  return async function launchAttempt({ entry, turnNumber, attempt, server, redact }: AttemptRequest): Promise<AgentResult> {
    const { task } = entry;
    const tag = `${summary.runId}/${task.id}/${randomBytes(4).toString('hex')}`;
    const adapter = adapterFor(task);
    const env = await environmentFor(adapter, task, tag, server);
    // Waiting for a start slot is queueing, not running: the agent's clock starts after it.
    // Only the CPU-heavy starts are gated (each prints when it is up); a turn that goes to a
    // kept-alive process starts nothing.
    const startsProcess = !(warmPool && warmPool.hasIdle(warmKey(summary.runId, task.id)));
    const gated = startGate !== undefined && startsProcess && CPU_HEAVY_STARTS.has(task.agent ?? 'claude');
    const releaseStart = gated ? await startGate.acquire(options.signal) : () => undefined;
    // A rate limit may have been hit while it waited for the slot: that hold applies to it too.
    if (gated) await options.rateLimitGate.wait(options.signal);
    if (options.signal?.aborted) {
      // Cancelled while it waited for a slot: it never started.
      releaseStart();
      return notStartedResult(entry);
    }
    markRunning(summary, task.id);
    const start: HerdEventInput = { type: 'agent.start', agentId: task.id, turn: turnNumber, attempt, workspace: entry.workspace };
    const context: AgentTurnContext = {
      adapter,
      workspace: entry.workspace,
      env,
      tag,
      attempt,
      redact,
      privateDir: privateDirOf(task),
      ...(options.prices ? { prices: options.prices } : {}),
      ...(entry.resumeSessionId === undefined ? {} : { resumeSessionId: entry.resumeSessionId }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
      ...(task.sandbox ? { commandPrefix: sandboxPrefix(entry, { ...env, ...task.env }) } : {}),
      onSignal: (signal) => {
        // Its first line says the agent is up: the next one may start.
        releaseStart();
        options.signals.handle(task.id, signal);
      },
    };
    try {
      if (warmPool && adapter.warm) {
        // agent.start waits for the process: it tells which one (pid) and whether it was already warm.
        const onStart = ({ pid, reused }: { pid?: number; reused: boolean }) => {
          options.emit({ ...start, ...(pid === undefined ? {} : { pid }), ...(reused ? { warm: true } : {}) });
        };
        return await executeWarmAgentTurn(task, { ...context, pool: warmPool, key: warmKey(summary.runId, task.id), onStart });
      }
      options.emit(start);
      return await executeAgentTurn(task, context);
    } finally {
      releaseStart();
    }
  };
}
