// The live progress area on a terminal: redraws the frame from progress-frame.ts in place
// (through log-update, so no hand-written cursor codes), at most once per `throttleMs`, plus
// a slow tick so clocks move while nothing happens. Finished agents and warnings are printed
// above the area and stay; the area itself is cleared when the turn ends. Only listens to HerdEvents.

import { createLogUpdate } from 'log-update';
import type { HerdEvent, HerdEventListener } from '../events.js';
import { clean, idColumnWidth, renderEndLine, renderFrame, renderRunHeader } from './frame.js';
import { applyEvent, createSnapshot } from './state.js';

/** The part of a tty.WriteStream the renderer uses; tests pass a fake of fixed size. */
export interface ProgressStream {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
}

export interface TtyProgressOptions {
  color?: boolean;
  /** Minimum time between two redraws (default 100 ms). */
  throttleMs?: number;
  /** Redraw at least this often so elapsed times move (default 1000 ms). */
  tickMs?: number;
  /** Hide the terminal cursor while drawing (only for the real stderr). */
  hideCursor?: boolean;
  clock?: () => number;
}

export interface TtyProgress {
  listener: HerdEventListener;
  /** Write text above the live area (at once, not throttled): a message must not tear the frame. */
  print(text: string): boolean;
  /** Draw what is pending now and leave the area on screen; stops the timers. */
  stop(): void;
}

// A terminal that reports 0 x 0 (a pty nobody sized, as under `script`) gets these too.
const DEFAULT_WIDTH = 80;
const DEFAULT_HEIGHT = 24;

export function createTtyProgress(stream: ProgressStream, options: TtyProgressOptions = {}): TtyProgress {
  const clock = options.clock ?? Date.now;
  const throttleMs = options.throttleMs ?? 100;
  const tickMs = options.tickMs ?? 1000;
  const color = options.color ?? false;
  const snapshot = createSnapshot();
  // Every redraw (erase, permanent lines, new frame) is collected and written at once:
  // a terminal that shows a half-written frame is what flicker is.
  let buffer = '';
  const buffered = {
    write(text: string) {
      buffer += text;
      return true;
    },
    get columns() {
      return stream.columns || DEFAULT_WIDTH;
    },
    get rows() {
      return stream.rows || DEFAULT_HEIGHT;
    },
  };
  const logUpdate = createLogUpdate(buffered as unknown as NodeJS.WritableStream, { showCursor: !options.hideCursor });
  const permanent: string[] = [];
  let drawn = false;
  let lastDrawTs = Number.NEGATIVE_INFINITY;
  let pending: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;

  const size = () => ({ width: stream.columns || DEFAULT_WIDTH, height: stream.rows || DEFAULT_HEIGHT });

  function draw(): void {
    pending = undefined;
    lastDrawTs = clock();
    if (permanent.length > 0) {
      logUpdate.clear();
      buffered.write(`${permanent.join('\n')}\n`);
      permanent.length = 0;
    }
    if (snapshot.agents.length > 0 || snapshot.ended) {
      logUpdate(renderFrame(snapshot, clock(), { ...size(), color }));
      drawn = true;
    }
    flush();
  }

  function flush(): void {
    if (buffer === '') return;
    const text = buffer;
    buffer = '';
    stream.write(text);
  }

  function schedule(): void {
    if (pending) return;
    const waitMs = lastDrawTs + throttleMs - clock();
    if (waitMs <= 0) draw();
    else pending = unref(setTimeout(draw, waitMs));
  }

  function startTicking(): void {
    ticker ??= unref(setInterval(draw, tickMs));
  }

  function finish(): void {
    if (pending) clearTimeout(pending);
    pending = undefined;
    if (ticker) clearInterval(ticker);
    ticker = undefined;
    // The live frame goes: the lines of finished agents stay, and the final table and account
    // (printed next) say the rest; a frozen progress bar above them would only repeat it.
    logUpdate.clear();
    if (permanent.length > 0) buffered.write(`${permanent.join('\n')}\n`);
    permanent.length = 0;
    // Shows the cursor again.
    logUpdate.done();
    flush();
    drawn = false;
  }

  const listener = (event: HerdEvent) => {
    applyEvent(snapshot, event);
    switch (event.type) {
      case 'run.start':
        permanent.push(renderRunHeader(event, { width: size().width, color }));
        startTicking();
        break;
      case 'agent.end': {
        const agent = snapshot.agents.find((candidate) => candidate.id === event.agentId);
        if (agent) permanent.push(renderEndLine(agent, idColumnWidth(snapshot.agents), { width: size().width, color }));
        break;
      }
      case 'run.warning':
        permanent.push(`warning: ${clean(event.message)}`);
        break;
      case 'run.budget':
        permanent.push(`${event.level === 'cap' ? 'spending cap' : 'warning'}: ${clean(event.message)}`);
        break;
      case 'run.end':
        finish();
        return;
      default:
        break;
    }
    schedule();
  };

  function print(text: string): boolean {
    if (!drawn) return Boolean(stream.write(text));
    // The frame is redrawn below the text; a newline at the end is the one the join adds back.
    permanent.push(text.endsWith('\n') ? text.slice(0, -1) : text);
    if (pending) clearTimeout(pending);
    draw();
    return true;
  }

  return { listener, print, stop: finish };
}

function unref<T extends NodeJS.Timeout>(timer: T): T {
  timer.unref();
  return timer;
}
