// The run record on disk: run.json (the summary, replaced atomically by temp file +
// rename so a crash never leaves half a file) and events.jsonl (append-only, fsynced
// when an agent ends). Reading back tolerates a torn last line.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { HerdError, UsageError } from '../errors.js';
import type { HerdEvent } from '../events.js';
import { validateId } from '../options.js';
import type { Redactor } from '../secrets/redact.js';
import type { RunSummary } from '../types.js';
import { describeFsError } from '../workspace/workspace.js';
import { EVENTS_FILE, RUN_FILE, runDirNames } from './run-dirs.js';

export { EVENTS_FILE, RUN_FILE } from './run-dirs.js';
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
    // A full disk leaves the temp file empty: never leave it behind.
    await unlink(temp).catch(() => undefined);
    throw new HerdError(`cannot write ${file}: ${describeFsError(error)}`, { cause: error });
  }
  // The rename is durable only once the directory that holds the name is synced.
  await syncDirectory(path.dirname(file));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    await handle.sync();
  } catch (error) {
    // Some file systems refuse fsync on a directory (EINVAL): the rename itself has happened.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw new HerdError(`cannot sync ${dir}: ${describeFsError(error)}`, { cause: error });
  } finally {
    await handle?.close().catch(() => undefined);
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

/**
 * Read a run's summary; a missing run is the caller's mistake (exit 2). A record that is not
 * valid JSON, not the shape of a run record, or names another run is a HerdError (damaged).
 */
export async function readRun(root: string, runId: string): Promise<RunSummary> {
  validateId('run id', runId);
  const file = path.join(path.resolve(root), runId, RUN_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`unknown run id "${runId}" (no ${file}); see \`herd runs\``);
    throw new HerdError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HerdError(`${file} is not valid JSON; the run record is damaged`);
  }
  // Loaded here, not at the top: commands that write runs but read none need not load zod.
  const { parseRunRecord } = await import('./run-record.js');
  const summary = parseRunRecord(json, file);
  // The directory is the run's id (herd never derives a path from the record's own claim).
  if (summary.runId !== runId) throw new HerdError(`${file} is the record of run ${JSON.stringify(summary.runId)}, not of ${runId}; the run record is damaged`);
  return summary;
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
  /** Run directories whose run.json cannot be read, with why. */
  unreadable: Array<{ runId: string; reason: string }>;
}

/** Every run under `root` with a readable run.json, newest first. */
export async function listRuns(root: string): Promise<RunListing> {
  const runs: RunSummary[] = [];
  const unreadable: RunListing['unreadable'] = [];
  for (const name of await runDirNames(path.resolve(root))) {
    try {
      runs.push(await readRun(root, name));
    } catch (error) {
      unreadable.push({ runId: name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return { runs, unreadable };
}
