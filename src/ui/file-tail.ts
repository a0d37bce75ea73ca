// Follow a growing append-only file (a run's events.jsonl) line by line: the lines already in
// it first, then each complete line as another process appends it. One tail per file, shared
// by every browser watching that run. fs.watch says "something changed" quickly; a slow poll
// backs it up (fs.watch can miss changes on some file systems).

import { watch, type FSWatcher } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

export type LineListener = (line: string) => void;

const POLL_MS = 1_000;
const READ_CHUNK = 256 * 1024;

export class FileTail {
  private offset = 0;
  private partial = '';
  /** A UTF-8 character split across two reads is held until its end arrives. */
  private readonly decoder = new StringDecoder('utf8');
  private readonly lines: string[] = [];
  private readonly listeners = new Set<LineListener>();
  private watcher: FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private reading: Promise<void> = Promise.resolve();
  private again = false;

  constructor(
    private readonly file: string,
    /** Keep at most this many lines for late subscribers (the file itself keeps them all). */
    private readonly keepLines = 50_000,
  ) {}

  /** Replays the lines read so far, then streams new ones; returns the unsubscribe. */
  async subscribe(listener: LineListener): Promise<() => void> {
    if (this.listeners.size === 0) this.start();
    await this.readNow();
    for (const line of this.lines) listener(line);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  private start(): void {
    try {
      this.watcher = watch(this.file, () => void this.readNow());
      this.watcher.on('error', () => undefined);
    } catch {
      // Not there yet (a run that is just starting): the poll picks it up.
    }
    this.poll = setInterval(() => void this.readNow(), POLL_MS);
    this.poll.unref();
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
  }

  /** Reads are serialised; a change seen while reading triggers one more read after it. */
  readNow(): Promise<void> {
    this.again = true;
    this.reading = this.reading.then(async () => {
      while (this.again) {
        this.again = false;
        await this.readNewBytes();
      }
    });
    return this.reading;
  }

  private async readNewBytes(): Promise<void> {
    const handle = await open(this.file, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const buffer = Buffer.alloc(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        this.take(this.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  private take(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (!line) continue;
      this.lines.push(line);
      for (const listener of this.listeners) listener(line);
    }
    if (this.lines.length > this.keepLines) this.lines.splice(0, this.lines.length - this.keepLines);
  }
}
