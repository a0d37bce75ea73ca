// `herd bench`: what parallelism buys on this machine, measured side by side in one run.
// The same N agents run three ways: through the Supervisor one at a time (sequential), through
// the Supervisor all at once (parallel), and as a plain fan-out of the identical claude
// commands (node child_process, all spawned at once, awaited together). Every wall time is
// taken here with the monotonic clock around the whole call, so herd's own set-up (workspaces,
// run record, event log) counts against it.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildAgentEnv } from '../attempt/agent-env.js';
import { resolveClaudeBin } from '../agents/claude-bin.js';
import { createClaudeAdapter } from '../agents/claude.js';
import { simulateEnv, startSimulateServer, type SimulateServer } from '../simulate/server.js';
import { Supervisor } from '../supervisor/supervisor.js';
import type { AgentTask } from '../types.js';

export interface BenchOptions {
  /** Agents per batch (N). */
  count: number;
  /** Latency of the stand-in API per answer (with `simulate`). */
  latencyMs: number;
  /** herd's stand-in API on loopback (default); false runs the real API and costs money. */
  simulate: boolean;
  prompt: string;
  claudeBin?: string;
  /**
   * A directory to put the bench's runs in (default: the system temp dir). The bench works in a
   * fresh `herd-bench-*` directory inside it and removes only that one (unless `keep`):
   * whatever else is in workspaceRoot (earlier runs) is never touched.
   */
  workspaceRoot?: string;
  keep?: boolean;
  signal?: AbortSignal;
  /** Rounds of (plain fan-out, parallel), alternating their order; medians are reported (default 1). */
  rounds?: number;
  /** Told before each phase starts, for progress lines. */
  onPhase?: (phase: BenchPhaseName, round?: number) => void;
  /** Environment the agents inherit (default process.env). */
  inheritedEnv?: NodeJS.ProcessEnv;
}

export type BenchPhaseName = 'warm-up' | 'sequential' | 'parallel' | 'plain fan-out';

export interface BenchPhase {
  wallMs: number;
  succeeded: number;
}

export interface BenchResult {
  count: number;
  latencyMs: number;
  simulated: boolean;
  cpus: number;
  rounds: number;
  sequential: BenchPhase;
  parallel: BenchPhase;
  plain: BenchPhase;
  /** Every round's wall time; parallel and plain above are their medians. */
  samples: { parallelMs: number[]; plainMs: number[] };
  /** sequential wall / parallel wall. */
  speedup: number;
  /** speedup / N (all N ran at once). */
  efficiency: number;
  /** (herd parallel wall − plain fan-out wall) / N; negative when herd happened to be faster. */
  overheadPerAgentMs: number;
  /** Kept run homes (with `keep`). */
  workspaceRoot?: string;
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const parent = options.workspaceRoot ?? os.tmpdir();
  await mkdir(parent, { recursive: true });
  const root = await mkdtemp(path.join(parent, 'herd-bench-'));
  const inheritedEnv = options.inheritedEnv ?? process.env;
  const claudeBin = resolveClaudeBin(options.claudeBin, inheritedEnv);
  const tasks: AgentTask[] = Array.from({ length: options.count }, (_, index) => ({ id: `agent-${index + 1}`, prompt: options.prompt }));
  const context: PhaseContext = { ...options, claudeBin, root, inheritedEnv };
  const rounds = options.rounds ?? 1;
  try {
    // Unmeasured: the first claude start reads its binary from disk; no phase should pay for that alone.
    options.onPhase?.('warm-up');
    await runPlainFanOut(tasks.slice(0, 1), context);
    const plainRuns: BenchPhase[] = [];
    const parallelRuns: BenchPhase[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // Alternating which goes first, so drift in the machine's load favours neither side.
      const order = round % 2 === 0 ? (['plain fan-out', 'parallel'] as const) : (['parallel', 'plain fan-out'] as const);
      for (const phase of order) {
        options.onPhase?.(phase, round + 1);
        if (phase === 'plain fan-out') plainRuns.push(await runPlainFanOut(tasks, context));
        else parallelRuns.push(await runThroughHerd(tasks, options.count, context));
      }
    }
    options.onPhase?.('sequential');
    const sequential = await runThroughHerd(tasks, 1, context);
    const plain = medianPhase(plainRuns);
    const parallel = medianPhase(parallelRuns);
    const speedup = parallel.wallMs > 0 ? sequential.wallMs / parallel.wallMs : 0;
    const result: BenchResult = {
      count: options.count,
      latencyMs: options.latencyMs,
      simulated: options.simulate,
      cpus: os.availableParallelism(),
      rounds,
      sequential,
      parallel,
      plain,
      samples: { parallelMs: parallelRuns.map((run) => run.wallMs), plainMs: plainRuns.map((run) => run.wallMs) },
      speedup: round(speedup, 2),
      efficiency: round(speedup / options.count, 2),
      overheadPerAgentMs: Math.round((parallel.wallMs - plain.wallMs) / options.count),
    };
    if (options.keep) result.workspaceRoot = root;
    return result;
  } finally {
    if (!options.keep) await rm(root, { recursive: true, force: true });
  }
}

/** The middle run by wall time (the lower middle of an even count: no invented average run). */
export function medianPhase(runs: readonly BenchPhase[]): BenchPhase {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!middle) throw new Error('medianPhase: no runs');
  return middle;
}

export interface PhaseContext extends BenchOptions {
  claudeBin: string;
  root: string;
  inheritedEnv: NodeJS.ProcessEnv;
}

export async function runThroughHerd(tasks: AgentTask[], concurrency: number, context: PhaseContext): Promise<BenchPhase> {
  const supervisor = new Supervisor({
    workspaceRoot: context.root,
    concurrency,
    // All at once, like the plain fan-out it is compared with: the overhead, not the start policy.
    startSlots: 0,
    claudeBin: context.claudeBin,
    inheritedEnv: context.inheritedEnv,
    ...(context.simulate ? { simulate: { latencyMs: context.latencyMs } } : {}),
    ...(context.signal ? { signal: context.signal } : {}),
  });
  const started = performance.now();
  const summary = await supervisor.run(tasks);
  const wallMs = Math.round(performance.now() - started);
  return { wallMs, succeeded: summary.agents.filter((agent) => agent.status === 'succeeded').length };
}

/**
 * What a user would write without herd: the same argv and environment herd gives each agent
 * (same stand-in API, one fresh config dir per batch as herd uses one per run, a fresh cwd
 * each), spawned at once with node:child_process, output drained, all awaited. The stand-in
 * API is started inside the timing, as herd starts its own inside its run.
 */
export async function runPlainFanOut(tasks: AgentTask[], context: PhaseContext): Promise<BenchPhase> {
  const batch = path.join(context.root, `plain-${randomBytes(3).toString('hex')}`);
  const cwds = tasks.map((task) => path.join(batch, task.id));
  for (const cwd of cwds) await mkdir(cwd, { recursive: true });
  const adapter = createClaudeAdapter(context.claudeBin);
  const started = performance.now();
  const server = context.simulate ? await startSimulateServer({ latencyMs: context.latencyMs }) : undefined;
  try {
    const codes = await Promise.all(tasks.map((task, index) => spawnPlain(task, cwds[index]!, adapter, server, batch, context)));
    const wallMs = Math.round(performance.now() - started);
    return { wallMs, succeeded: codes.filter((code) => code === 0).length };
  } finally {
    await server?.close();
  }
}

function spawnPlain(
  task: AgentTask,
  cwd: string,
  adapter: ReturnType<typeof createClaudeAdapter>,
  server: SimulateServer | undefined,
  batch: string,
  context: PhaseContext,
): Promise<number | null> {
  const spec = adapter.command(task, {});
  const env = buildAgentEnv({
    inherited: context.inheritedEnv,
    ...(server ? { simulate: { ...simulateEnv(server, task.id), CLAUDE_CONFIG_DIR: path.join(batch, '.claude-config') } } : {}),
    extra: spec.env,
    tag: `bench/${task.id}`,
  });
  return new Promise((resolve) => {
    // Deliberately not herd's process module: this is the baseline herd is measured against.
    // Detached like herd's agents (each its own session): with Linux's scheduler autogroups a
    // session is one scheduling unit, so children left in this process's session share one
    // CPU share against other load and ran ~2x slower here; that would be a flattering baseline.
    const child = spawn(spec.file, spec.args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.resume();
    child.stderr.resume();
    const onAbort = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    };
    context.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', () => resolve(null));
    child.on('close', (code) => {
      context.signal?.removeEventListener('abort', onAbort);
      resolve(code);
    });
  });
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
