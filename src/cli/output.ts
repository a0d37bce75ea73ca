// Where the CLI writes: results (JSON with --json) on stdout, everything a person reads
// while waiting on stderr, and the optional --events stream.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { HerdEvent, HerdEventListener } from '../events.js';
import { createPlainProgress } from '../report/progress-plain.js';

export const writeOut = (text: string) => process.stdout.write(text);
export const writeErr = (text: string) => process.stderr.write(text);

export interface EventSinks {
  listener: HerdEventListener;
  close(): Promise<void>;
}

/** Progress lines unless --quiet, plus every event as a JSON line when --events is given. */
export function createEventSinks(flags: { quiet?: boolean; events?: string }): EventSinks {
  const listeners: HerdEventListener[] = [];
  if (!flags.quiet) listeners.push(createPlainProgress(writeErr));
  let file: WriteStream | undefined;
  if (flags.events !== undefined) {
    const write = flags.events === '-' ? writeErr : ((file = createWriteStream(flags.events, { flags: 'a', mode: 0o600 })), (text: string) => file!.write(text));
    listeners.push((event: HerdEvent) => write(`${JSON.stringify(event)}\n`));
  }
  return {
    listener: (event) => {
      for (const listener of listeners) listener(event);
    },
    close: () => new Promise((resolve) => (file ? file.end(resolve) : resolve())),
  };
}

export function printJson(value: unknown): void {
  writeOut(`${JSON.stringify(value, null, 2)}\n`);
}
