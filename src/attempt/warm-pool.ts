// Owns the warm agent processes a Supervisor keeps between turns, keyed by run id + agent
// id: hands a live one back for the next turn when it still serves the same session with the
// same command, closes one that sat idle too long, and closes them all on request.

import type { WarmProcess } from '../process/warm-process.js';

export interface WarmPoolOptions {
  /** An idle process is closed after this long (its next turn resumes cold). */
  idleMs: number;
  /** Called when the last process of the pool is gone (a shared simulate server may close then). */
  onEmpty?: () => void;
}

/** What a process must match to serve a turn: the session it holds and how it was started. */
export interface WarmMatch {
  sessionId: string | undefined;
  /** The command, env and workspace it was started with (minus --resume). */
  fingerprint: string;
}

/** Gives a process back after its turn, with the session it holds now. */
export type ReleaseWarm = (sessionId: string | undefined) => void;

interface WarmEntry extends WarmMatch {
  process: WarmProcess;
  inUse: boolean;
  idleTimer?: NodeJS.Timeout;
}

export function warmKey(runId: string, agentId: string): string {
  return `${runId}\0${agentId}`;
}

export class WarmPool {
  private readonly entries = new Map<string, WarmEntry>();

  constructor(private readonly options: WarmPoolOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** Whether this agent has a live idle process (that a matching turn would reuse instead of starting one). */
  hasIdle(key: string): boolean {
    const entry = this.entries.get(key);
    return entry !== undefined && !entry.inUse && entry.process.alive;
  }

  /** The live idle process of this agent if it matches; a stale or mismatched one is closed. */
  take(key: string, want: WarmMatch): { process: WarmProcess; release: ReleaseWarm } | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.inUse) return undefined;
    if (!entry.process.alive || entry.sessionId !== want.sessionId || entry.fingerprint !== want.fingerprint) {
      void this.drop(key, entry);
      return undefined;
    }
    clearTimeout(entry.idleTimer);
    entry.inUse = true;
    return { process: entry.process, release: (sessionId) => this.release(key, entry, sessionId) };
  }

  /**
   * Keep a newly started process for this agent. If the agent already has one in use (two
   * turns of one run at once), the newcomer is not kept: its release closes it.
   */
  adopt(key: string, process: WarmProcess, fingerprint: string): ReleaseWarm {
    const existing = this.entries.get(key);
    if (existing?.inUse) return () => void process.close();
    if (existing) void this.drop(key, existing);
    const entry: WarmEntry = { process, fingerprint, sessionId: undefined, inUse: true };
    this.entries.set(key, entry);
    void process.exited.then(() => {
      // A process that dies while idle is forgotten at once; one in use is handled by its release.
      if (this.entries.get(key) === entry && !entry.inUse) this.forget(key, entry);
    });
    return (sessionId) => this.release(key, entry, sessionId);
  }

  /** Close every process of one run (before `resume` sweeps the run's processes, for instance). */
  async closeRun(runId: string): Promise<void> {
    const prefix = warmKey(runId, '');
    await Promise.all([...this.entries].filter(([key]) => key.startsWith(prefix)).map(([key, entry]) => this.drop(key, entry)));
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.entries].map(([key, entry]) => this.drop(key, entry)));
  }

  private release(key: string, entry: WarmEntry, sessionId: string | undefined): void {
    entry.inUse = false;
    if (this.entries.get(key) !== entry) return;
    if (!entry.process.alive || sessionId === undefined) {
      void this.drop(key, entry);
      return;
    }
    entry.sessionId = sessionId;
    entry.idleTimer = setTimeout(() => void this.drop(key, entry), this.options.idleMs);
    // The idle deadline alone must not keep node running.
    entry.idleTimer.unref();
  }

  private drop(key: string, entry: WarmEntry): Promise<void> {
    this.forget(key, entry);
    return entry.process.close();
  }

  private forget(key: string, entry: WarmEntry): void {
    clearTimeout(entry.idleTimer);
    if (this.entries.get(key) !== entry) return;
    this.entries.delete(key);
    if (this.entries.size === 0) this.options.onEmpty?.();
  }
}
