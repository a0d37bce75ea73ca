// Owns one long-lived agent process that serves many turns: stdin stays open, each turn
// writes its input and hands stdout lines to that turn until the caller says the turn is
// over (or the process ends). A turn has the same wall/idle deadlines and cancellation as a
// cold run, and like a cold run it ends the whole process when one expires. Between turns
// the process does not keep node alive (herd's exit hook kills it if nobody closed it).

import type { ProcessExit } from './exit.js';
import { signalGroup } from './kill-tree.js';
import { LineSplitter, TailBuffer } from './line-splitter.js';
import {
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_STDERR_TAIL_BYTES,
  endProcessGroup,
  spawnInOwnGroup,
  waitForExit,
  type ExitStatus,
  type Subprocess,
} from './process-group.js';
import { createWatchdog, type Watchdog, type WatchdogOptions } from './watchdog.js';

export interface WarmProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Unique value of HERD_AGENT_TAG in `env`, used to find escaped descendants. */
  tag: string;
  killGraceMs?: number;
  maxLineBytes?: number;
  stderrTailBytes?: number;
}

export interface WarmTurnOptions extends Omit<WatchdogOptions, 'killGraceMs'> {
  /** Bytes written to stdin to ask for this turn. */
  input: string;
  /** Called for each stdout line of the turn; returns true when that line ended the turn. */
  onLine: (line: string) => boolean;
}

export interface WarmTurnRun extends ProcessExit {
  durationMs: number;
  /** The turn ended by its own last line and the process lives on for the next one. */
  completed: boolean;
  /** Stdout lines this turn saw: 0 with an exit means the process was gone before it could answer. */
  lines: number;
}

export interface WarmProcess {
  readonly pid: number;
  /** Running and not being closed: a turn may be asked of it. */
  readonly alive: boolean;
  /** A turn is under way. */
  readonly busy: boolean;
  runTurn(options: WarmTurnOptions): Promise<WarmTurnRun>;
  /** End stdin so it exits on its own; SIGTERM then SIGKILL if it does not. Resolves once everything is gone. */
  close(): Promise<void>;
  /** Resolves once the process exited and its group and pipes were cleaned up. */
  readonly exited: Promise<ExitStatus>;
}

/** How long a process may take to exit by itself after its stdin closed, before SIGTERM. */
const CLOSE_WAIT_MS = 3_000;

interface CurrentTurn {
  options: WarmTurnOptions;
  watchdog: Watchdog;
  stderrTail: TailBuffer;
  startedAt: number;
  lines: number;
  oversizedLines: number;
  resolve: (run: WarmTurnRun) => void;
}

export async function startWarmProcess(options: WarmProcessOptions): Promise<WarmProcess | { spawnError: string }> {
  const spawned = await spawnInOwnGroup({ ...options, stdin: 'pipe' });
  if ('spawnError' in spawned) return { spawnError: spawned.spawnError };
  return new RunningWarmProcess(spawned.subprocess, spawned.pid, options);
}

class RunningWarmProcess implements WarmProcess {
  readonly exited: Promise<ExitStatus>;
  private current: CurrentTurn | undefined;
  private exitStatus: ExitStatus | undefined;
  private closing = false;
  private readonly lines: LineSplitter;
  private readonly stderrTailBytes: number;
  /** Stderr printed between turns still explains a failure at the start of the next one. */
  private idleStderr: TailBuffer;

  constructor(
    private readonly subprocess: Subprocess,
    readonly pid: number,
    private readonly options: WarmProcessOptions,
  ) {
    this.stderrTailBytes = options.stderrTailBytes ?? DEFAULT_STDERR_TAIL_BYTES;
    this.idleStderr = new TailBuffer(this.stderrTailBytes);
    this.lines = new LineSplitter({
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      onLine: (line) => this.takeLine(line),
      onOversized: () => {
        if (this.current) this.current.oversizedLines += 1;
      },
    });
    // A write to a process that just died fails with EPIPE; its exit tells the turn what happened.
    subprocess.stdin?.on('error', () => undefined);
    subprocess.stdout?.on('data', (chunk: Buffer) => {
      this.current?.watchdog.sawActivity();
      this.lines.push(chunk);
    });
    subprocess.stderr?.on('data', (chunk: Buffer) => (this.current?.stderrTail ?? this.idleStderr).push(chunk));
    this.exited = this.watchExit();
    this.setKeepsNodeAlive(false);
  }

  get alive(): boolean {
    return this.exitStatus === undefined && !this.closing;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  runTurn(turnOptions: WarmTurnOptions): Promise<WarmTurnRun> {
    if (this.current) throw new Error(`warm process ${this.pid} is already running a turn`);
    const startedAt = performance.now();
    if (this.exitStatus !== undefined || this.closing) return Promise.resolve(this.deadTurn(startedAt));
    return new Promise((resolve) => {
      const stderrTail = this.idleStderr;
      this.idleStderr = new TailBuffer(this.stderrTailBytes);
      const watchdog = createWatchdog(this.pid, { ...turnOptions, killGraceMs: this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS });
      this.current = { options: turnOptions, watchdog, stderrTail, startedAt, lines: 0, oversizedLines: 0, resolve };
      this.setKeepsNodeAlive(true);
      this.subprocess.stdin?.write(turnOptions.input);
    });
  }

  async close(): Promise<void> {
    if (this.exitStatus === undefined && !this.closing) {
      this.closing = true;
      this.setKeepsNodeAlive(true);
      this.subprocess.stdin?.end();
      const graceMs = this.options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
      const term = setTimeout(() => signalGroup(this.pid, 'SIGTERM'), CLOSE_WAIT_MS);
      const kill = setTimeout(() => signalGroup(this.pid, 'SIGKILL'), CLOSE_WAIT_MS + graceMs);
      await this.exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
    await this.exited;
  }

  private takeLine(line: string): void {
    const turn = this.current;
    // Nothing is asked between turns; whatever is printed then belongs to no turn.
    if (!turn) return;
    turn.lines += 1;
    // Once the process is exiting, the turn ends with its exit status instead (see watchExit).
    if (turn.options.onLine(line) && this.exitStatus === undefined) this.endTurn({ completed: true });
  }

  private endTurn(end: { completed: true } | { completed: false; exit: ExitStatus }): void {
    const turn = this.current;
    if (!turn) return;
    this.current = undefined;
    turn.watchdog.stop();
    const run: WarmTurnRun = {
      completed: end.completed,
      lines: turn.lines,
      stderrTail: turn.stderrTail.toString(),
      oversizedLines: turn.oversizedLines,
      durationMs: performance.now() - turn.startedAt,
    };
    if (turn.stderrTail.cut) run.stderrTailCut = true;
    if (!end.completed) {
      if (end.exit.exitCode !== null) run.exitCode = end.exit.exitCode;
      if (end.exit.signal !== null) run.signal = end.exit.signal;
      if (turn.watchdog.reason !== undefined) run.killedBecause = turn.watchdog.reason;
    } else {
      this.setKeepsNodeAlive(false);
    }
    turn.resolve(run);
  }

  private async watchExit(): Promise<ExitStatus> {
    const exit = await waitForExit(this.subprocess);
    this.exitStatus = exit;
    await endProcessGroup(this.subprocess, this.pid, this.options.tag);
    this.lines.end();
    this.endTurn({ completed: false, exit });
    return exit;
  }

  private deadTurn(startedAt: number): WarmTurnRun {
    const run: WarmTurnRun = {
      completed: false,
      lines: 0,
      stderrTail: this.idleStderr.toString(),
      oversizedLines: 0,
      durationMs: performance.now() - startedAt,
    };
    if (this.idleStderr.cut) run.stderrTailCut = true;
    if (this.exitStatus?.exitCode !== undefined && this.exitStatus.exitCode !== null) run.exitCode = this.exitStatus.exitCode;
    if (this.exitStatus?.signal !== undefined && this.exitStatus.signal !== null) run.signal = this.exitStatus.signal;
    return run;
  }

  /** Idle warm processes must not hold node open: a script that forgets close() still ends. */
  private setKeepsNodeAlive(keep: boolean): void {
    const method = keep ? 'ref' : 'unref';
    this.subprocess[method]();
    for (const stream of [this.subprocess.stdin, this.subprocess.stdout, this.subprocess.stderr]) {
      const handle = stream as unknown as { ref?: () => void; unref?: () => void } | null;
      handle?.[method]?.();
    }
  }
}
