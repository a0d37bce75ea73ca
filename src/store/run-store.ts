// The run record on disk: run.json (the summary, replaced atomically by temp file +
// rename so a crash never leaves half a file) and events.jsonl (append-only, fsynced
// when an agent ends). Reading back tolerates a torn last line.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { HerdError, UsageError } from '../errors.js';
import type { HerdEvent } from '../events.js';
import type { Redactor } from '../secrets/redact.js';
import type { RunSummary } from '../types.js';

export const RUN_FILE = 'run.json';
export const EVENTS_FILE = 'events.jsonl';
const PRIVATE_FILE_MODE = 0o600;

/** Sortable, readable and unique enough: 20261125-184501-3fa2. */
export function createRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * Serialises writes of run.json: at most one in flight and at most one waiting, which writes
 * the latest state when its turn comes. Agents that end together (warm turns end within
 * milliseconds of each other) then cost one or two writes, not one each.
 */
export class RunFileWriter {
  private writing: Promise<void> = Promise.resolve();
  private waiting: Promise<void> | undefined;
  private latest: RunSummary | undefined;

  constructor(
    private readonly runHome: string,
    private readonly redact: Redactor = (text) => text,
  ) {}

  /** Resolves once `summary` (or a newer one) is on disk. */
  write(summary: RunSummary): Promise<void> {
    this.latest = summary;
    if (this.waiting) return this.waiting;
    const next = this.writing.then(() => {
      this.waiting = undefined;
      // Serialised when the write starts, so it carries every change made while it waited.
      const text = this.redact(`${JSON.stringify(this.latest, null, 2)}\n`);
      return writeAtomically(path.join(this.runHome, RUN_FILE), text);
    });
    this.waiting = next;
    this.writing = next.catch(() => undefined);
    return next;
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  // Unique per write: two writers (even in one process) never share a temp file.
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let handle: FileHandle | undefined;
  try {
    handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, PRIVATE_FILE_MODE);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw new HerdError(`cannot write ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Append-only event log. Lines are written in order; `sync()` makes them durable. */
export class EventLog {
  private handle: Promise<FileHandle>;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    runHome: string,
    private readonly redact: Redactor = (text) => text,
  ) {
    this.handle = open(path.join(runHome, EVENTS_FILE), 'a', PRIVATE_FILE_MODE);
    this.handle.catch(() => undefined);
  }

  append(event: HerdEvent): Promise<void> {
    const line = this.redact(`${JSON.stringify(event)}\n`);
    return this.enqueue(async (handle) => {
      await handle.write(line);
    });
  }

  sync(): Promise<void> {
    return this.enqueue((handle) => handle.sync());
  }

  async close(): Promise<void> {
    await this.enqueue((handle) => handle.sync());
    await (await this.handle).close();
  }

  private enqueue(work: (handle: FileHandle) => Promise<void>): Promise<void> {
    const next = this.chain.then(async () => work(await this.handle));
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** Read a run's summary; a missing run is the caller's mistake (exit 2). */
export async function readRun(root: string, runId: string): Promise<RunSummary> {
  const file = path.join(path.resolve(root), runId, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`unknown run id "${runId}" (no ${file}); see \`herd runs\``);
    throw new HerdError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text) as RunSummary;
  } catch {
    throw new HerdError(`${file} is not valid JSON; the run record is damaged`);
  }
}

export interface EventsRead {
  events: HerdEvent[];
  skippedLines: number;
}

/** Read events.jsonl, skipping lines a crash left half-written. */
export async function readEvents(runHome: string): Promise<EventsRead> {
  let text: string;
  try {
    text = await readFile(path.join(runHome, EVENTS_FILE), 'utf8');
  } catch {
    return { events: [], skippedLines: 0 };
  }
  const events: HerdEvent[] = [];
  let skippedLines = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as HerdEvent);
    } catch {
      skippedLines += 1;
    }
  }
  return { events, skippedLines };
}

export interface RunListing {
  runs: RunSummary[];
  unreadable: string[];
}

/** Every run under `root` with a readable run.json, newest first. */
export async function listRuns(root: string): Promise<RunListing> {
  let names: string[];
  try {
    names = await readdir(path.resolve(root));
  } catch {
    return { runs: [], unreadable: [] };
  }
  const runs: RunSummary[] = [];
  const unreadable: string[] = [];
  for (const name of names) {
    const home = path.join(path.resolve(root), name);
    if (!(await stat(home).catch(() => undefined))?.isDirectory()) continue;
    try {
      runs.push(await readRun(root, name));
    } catch {
      // Only a directory that looks like a run is worth a warning; others (a bench's, the user's) are not ours.
      const looksLikeRun = (
        await Promise.all(
          [RUN_FILE, EVENTS_FILE].map((file) =>
            stat(path.join(home, file)).then(
              () => true,
              () => false,
            ),
          ),
        )
      ).some(Boolean);
      if (looksLikeRun) unreadable.push(name);
    }
  }
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return { runs, unreadable };
}
