// How a process ended, as the process layer saw it: exit code or signal, whether herd
// ended it (and why), a spawn error, and a bounded stderr tail. Adapters judge it.

export interface ProcessExit {
  exitCode?: number;
  signal?: string;
  /** Set when herd (not the agent) ended it. */
  killedBecause?: 'timeout' | 'idle' | 'cancelled';
  spawnError?: string;
  stderrTail: string;
  /** The tail starts inside the stream (it may start inside a secret: see secrets/redact.ts, tail). */
  stderrTailCut?: boolean;
  /** Lines longer than the limit were dropped; how many. */
  oversizedLines: number;
}
