// Where the CLI writes: results (JSON with --json) on stdout, everything a person reads
// while waiting on stderr, and the optional --events stream. Text for a person passes
// terminalSafe() here (agent output must not command the terminal); JSON stays raw.

import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { UsageError } from '../errors.js';
import { describeFsError } from '../workspace/workspace.js';
import type { HerdEvent, HerdEventListener } from '../events.js';
import { createPlainProgress } from '../progress/plain.js';
import { createTtyProgress, type TtyProgress } from '../progress/tty.js';
import { terminalSafe, terminalSafeJson } from '../text/terminal-safe.js';

/** The live progress area while one is on screen: other stderr text must go above it, not through it. */
let liveArea: TtyProgress | undefined;

/**
 * herd's own stdout and stderr once they failed (EPIPE: the reader of `herd ... | head` went
 * away; EIO: the terminal closed). Writing to them stops; the run goes on, is recorded, and
 * the exit code still says how it ended.
 */
const brokenStreams = new Set<NodeJS.WritableStream>();

/** Call once at start: without a listener, an EPIPE on stdout would end herd with its agents still running. */
export function guardOutputStreams(): void {
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => brokenStreams.add(stream));
}

function writeTo(stream: NodeJS.WriteStream, text: string): boolean {
  if (brokenStreams.has(stream)) return false;
  return stream.write(text);
}

/** Text for a person: agent output in it is neutralised (see text/terminal-safe.ts). */
export const writeOut = (text: string) => writeTo(process.stdout, terminalSafe(text));
export const writeErr = (text: string) => {
  const safe = terminalSafe(text);
  return liveArea ? liveArea.print(safe) : writeTo(process.stderr, safe);
};

/** stderr for the live area: same size, same guard. */
const stderrForProgress = {
  write: (text: string) => writeTo(process.stderr, text),
  get columns() {
    return process.stderr.columns;
  },
  get rows() {
    return process.stderr.rows;
  },
};

export interface EventSinks {
  listener: HerdEventListener;
  close(): Promise<void>;
}

/**
 * Progress unless --quiet (a live area on a terminal, timestamped lines otherwise), plus every
 * event as a JSON line when --events is given.
 */
export function createEventSinks(flags: { quiet?: boolean; events?: string }, env: NodeJS.ProcessEnv = process.env): EventSinks {
  const listeners: HerdEventListener[] = [];
  // First: a bad --events path must fail before a live area hides the cursor.
  const file = flags.events === undefined || flags.events === '-' ? undefined : openEventsFile(flags.events);
  let live: TtyProgress | undefined;
  if (!flags.quiet && wantsLiveProgress(flags, env)) {
    live = createTtyProgress(stderrForProgress, { color: wantsColor(env), hideCursor: true });
    liveArea = live;
    listeners.push(live.listener);
  } else if (!flags.quiet) listeners.push(createPlainProgress(writeErr));
  if (flags.events !== undefined) {
    // JSON lines for a program: the agent's text unchanged once parsed, no control character raw.
    const write = file ? (text: string) => file.write(text) : (text: string) => writeTo(process.stderr, terminalSafeJson(text));
    listeners.push((event: HerdEvent) => write(`${JSON.stringify(event)}\n`));
  }
  return {
    listener: (event) => {
      for (const listener of listeners) listener(event);
    },
    close: () => {
      live?.stop();
      if (liveArea === live) liveArea = undefined;
      return new Promise((resolve) => (file ? file.end(resolve) : resolve()));
    },
  };
}

/** Opened now, before anything starts, so a path that cannot be written is a usage error (exit 2). */
function openEventsFile(file: string): WriteStream {
  let fd: number;
  try {
    fd = openSync(file, 'a', 0o600);
  } catch (error) {
    throw new UsageError(`--events: cannot write ${file}: ${describeFsError(error)}`);
  }
  return createWriteStream(file, { fd });
}

/** Redrawing in place needs a real terminal, and --events - shares stderr: lines would tear the area. */
function wantsLiveProgress(flags: { events?: string }, env: NodeJS.ProcessEnv): boolean {
  return process.stderr.isTTY === true && env.TERM !== 'dumb' && flags.events !== '-';
}

/** https://no-color.org: any non-empty NO_COLOR turns colour off. */
export function wantsColor(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
}

/** JSON for programs: the text as the agent wrote it, with every control character escaped (see terminalSafeJson). */
export function printJson(value: unknown): void {
  writeTo(process.stdout, terminalSafeJson(`${JSON.stringify(value, null, 2)}\n`));
}
