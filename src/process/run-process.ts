// Runs one child process start to end the way herd needs: its own process group, stdout
// read line by line as it arrives (and/or its last bytes kept), a wall-clock and an idle
// deadline, cancellation by AbortSignal, and an end that leaves nothing behind (group +
// tagged escapees killed). Spawning and ending live in process-group.ts, the deadlines in
// watchdog.ts.

import { ByteRing } from '../text/byte-ring.js';
import type { ProcessExit } from './exit.js';
import { LineSplitter, TailBuffer } from './line-splitter.js';
import { DEFAULT_MAX_LINE_BYTES, DEFAULT_STDERR_TAIL_BYTES, endProcessGroup, spawnInOwnGroup, waitForExit } from './process-group.js';
import { createWatchdog } from './watchdog.js';

export { DEFAULT_KILL_GRACE_MS, killAllAgentsNow } from './process-group.js';

export interface RunProcessOptions {
  file: string;
  args: string[];
  cwd: string;
  /** The complete environment (nothing else is inherited). */
  env: Record<string, string>;
  /** Unique value of HERD_AGENT_TAG in `env`, used to find escaped descendants. */
  tag: string;
  /** Bytes written to stdin, which is then closed; without it stdin is ignored. */
  input?: string | Uint8Array;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  killGraceMs?: number;
  maxLineBytes?: number;
  stderrTailBytes?: number;
  signal?: AbortSignal;
  /** Each stdout line (no newline, CRLF read as LF). Without it stdout is not split at all. */
  onLine?: (line: string) => void;
  /** Keep this many last bytes of stdout, handed back as `stdoutTail`. */
  stdoutTailBytes?: number;
  onSpawn?: (pid: number) => void;
}

export interface ProcessRun extends ProcessExit {
  pid?: number;
  durationMs: number;
  /**
   * With `stdoutTailBytes`: the end of stdout as text lines, CRLF read as LF and without the
   * final newline (what joining its lines with "\n" gives); undefined when it printed nothing.
   */
  stdoutTail?: string;
  /** stdoutTail starts inside the output (it may start inside a secret: see secrets/redact.ts, tail). */
  stdoutTailCut?: boolean;
}

export async function runProcess(options: RunProcessOptions): Promise<ProcessRun> {
  const startedAt = performance.now();
  const stderrTail = new TailBuffer(options.stderrTailBytes ?? DEFAULT_STDERR_TAIL_BYTES);
  let oversizedLines = 0;
  const lines =
    options.onLine &&
    new LineSplitter({
      maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES,
      onLine: options.onLine,
      onOversized: () => {
        oversizedLines += 1;
      },
    });
  const stdoutTail = options.stdoutTailBytes === undefined ? undefined : new ByteRing(options.stdoutTailBytes);

  const spawned = await spawnInOwnGroup({ ...options, stdin: options.input === undefined ? 'ignore' : 'pipe' });
  if ('spawnError' in spawned) {
    return { spawnError: spawned.spawnError, stderrTail: '', oversizedLines: 0, durationMs: performance.now() - startedAt };
  }
  const { subprocess, pid } = spawned;
  options.onSpawn?.(pid);
  if (options.input !== undefined) subprocess.stdin?.end(options.input);

  const watchdog = createWatchdog(pid, options);
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    watchdog.sawActivity();
    lines?.push(chunk);
    stdoutTail?.push(chunk);
  });
  subprocess.stderr?.on('data', (chunk: Buffer) => stderrTail.push(chunk));

  const { exitCode, signal } = await waitForExit(subprocess);
  watchdog.stop();
  await endProcessGroup(subprocess, pid, options.tag);
  lines?.end();

  const run: ProcessRun = { pid, stderrTail: stderrTail.toString(), oversizedLines, durationMs: performance.now() - startedAt };
  if (stderrTail.cut) run.stderrTailCut = true;
  if (exitCode !== null) run.exitCode = exitCode;
  if (signal !== null) run.signal = signal;
  if (watchdog.reason !== undefined) run.killedBecause = watchdog.reason;
  if (stdoutTail !== undefined && stdoutTail.totalBytes > 0) run.stdoutTail = asLines(stdoutTail.toString());
  if (stdoutTail !== undefined && stdoutTail.totalBytes > stdoutTail.capacity) run.stdoutTailCut = true;
  return run;
}

/** Text as its lines joined by "\n": CRLF as LF, no final line break. */
function asLines(text: string): string {
  const unix = text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
  return unix.replace(/\r?\n?$/, '');
}
