// Runs one child process the way herd needs: no shell, its own process group, stdout read
// line by line as it arrives, a wall-clock and an idle deadline, cancellation by
// AbortSignal, and an end that leaves nothing behind (group + tagged escapees killed).
// The only module that imports execa.

import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import type { ProcessExit } from '../agents/adapter.js';
import { killTaggedProcesses, signalGroup } from './kill-tree.js';
import { LineSplitter, TailBuffer } from './line-splitter.js';

export interface RunProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Unique value of HERD_AGENT_TAG in `env`, used to find escaped descendants. */
  tag: string;
  /** Bytes written to stdin, which is then closed; without it stdin is ignored. */
  input?: string | Buffer;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  killGraceMs?: number;
  maxLineBytes?: number;
  stderrTailBytes?: number;
  signal?: AbortSignal;
  onLine: (line: string) => void;
  onSpawn?: (pid: number) => void;
}

export interface ProcessRun extends ProcessExit {
  pid?: number;
  durationMs: number;
}

export const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
const DEFAULT_STDERR_TAIL_BYTES = 4 * 1024;
/** After the process and its group are gone, how long its pipes may take to drain. */
const PIPE_DRAIN_MS = 2_000;

/** Process groups of agents still running, so herd can end them all when it exits. */
const liveGroups = new Set<number>();

/** SIGKILL every running agent's process group now (second Ctrl-C, or herd exiting). */
export function killAllAgentsNow(): number {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  return liveGroups.size;
}

process.once('exit', killAllAgentsNow);

export async function runProcess(options: RunProcessOptions): Promise<ProcessRun> {
  const startedAt = performance.now();
  const stderrTail = new TailBuffer(options.stderrTailBytes ?? DEFAULT_STDERR_TAIL_BYTES);
  let oversizedLines = 0;
  const lines = new LineSplitter({
    maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
    onLine: options.onLine,
    onOversized: () => {
      oversizedLines += 1;
    },
  });

  const subprocess = execa(options.file, options.args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: options.input === undefined ? 'ignore' : 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    encoding: 'buffer',
    detached: true,
    cleanup: false,
    reject: false,
    windowsHide: true,
  });
  const pid = subprocess.pid;
  if (pid === undefined) {
    const failed = await subprocess;
    return {
      spawnError: failed.shortMessage ?? failed.message ?? 'could not start the process',
      stderrTail: '',
      oversizedLines: 0,
      durationMs: performance.now() - startedAt,
    };
  }
  liveGroups.add(pid);
  options.onSpawn?.(pid);
  if (options.input !== undefined) subprocess.stdin?.end(options.input);

  const watchdog = createWatchdog(pid, options);
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    watchdog.sawActivity();
    lines.push(chunk);
  });
  subprocess.stderr?.on('data', (chunk: Buffer) => stderrTail.push(chunk));

  const { exitCode, signal } = await waitForExit(subprocess);
  watchdog.stop();
  await endLeftovers(pid, options.tag);
  liveGroups.delete(pid);
  await drainPipes(subprocess);
  lines.end();

  const run: ProcessRun = { pid, stderrTail: stderrTail.toString(), oversizedLines, durationMs: performance.now() - startedAt };
  if (exitCode !== null) run.exitCode = exitCode;
  if (signal !== null) run.signal = signal;
  if (watchdog.reason !== undefined) run.killedBecause = watchdog.reason;
  return run;
}

/** The parts of execa's subprocess this module uses (its full generic type is unwieldy). */
type Subprocess = Pick<ChildProcess, 'exitCode' | 'signalCode' | 'once' | 'stdout' | 'stderr'> & PromiseLike<unknown>;

function waitForExit(subprocess: Subprocess): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (subprocess.exitCode !== null || subprocess.signalCode !== null) {
      resolve({ exitCode: subprocess.exitCode, signal: subprocess.signalCode });
      return;
    }
    subprocess.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
  });
}

/** Whatever the agent left running (group members, tool processes in their own sessions) goes now. */
async function endLeftovers(pid: number, tag: string): Promise<void> {
  signalGroup(pid, 'SIGKILL');
  await killTaggedProcesses(tag);
}

/** Wait for the rest of stdout/stderr; a descendant we could not find might hold them open, so bound it. */
async function drainPipes(subprocess: Subprocess): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      subprocess.stdout?.destroy();
      subprocess.stderr?.destroy();
      resolve();
    }, PIPE_DRAIN_MS);
  });
  await Promise.race([subprocess.then(() => undefined, () => undefined), bound]);
  clearTimeout(timer);
}

interface Watchdog {
  reason: ProcessExit['killedBecause'];
  sawActivity(): void;
  stop(): void;
}

/** Wall and idle deadlines plus cancellation; the first reason to end the process wins. */
function createWatchdog(pid: number, options: RunProcessOptions): Watchdog {
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  let graceTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const watchdog: Watchdog = {
    reason: undefined,
    sawActivity() {
      if (options.idleTimeoutMs === undefined || watchdog.reason !== undefined) return;
      idleTimer?.refresh();
    },
    stop() {
      clearTimeout(wallTimer);
      clearTimeout(idleTimer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
  const terminate = (reason: NonNullable<ProcessExit['killedBecause']>) => {
    if (watchdog.reason !== undefined) return;
    watchdog.reason = reason;
    clearTimeout(idleTimer);
    signalGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  };
  const onAbort = () => terminate('canceled');
  const wallTimer = options.timeoutMs === undefined ? undefined : setTimeout(() => terminate('timeout'), options.timeoutMs);
  if (options.idleTimeoutMs !== undefined) idleTimer = setTimeout(() => terminate('idle'), options.idleTimeoutMs);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return watchdog;
}
