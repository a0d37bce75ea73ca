// The deadlines of one agent run (or one warm turn): wall clock, idle (no stdout), and
// cancellation by AbortSignal. The first reason to end the process wins; ending means
// SIGTERM to its group, then SIGKILL after the grace period.

import type { ProcessExit } from './exit.js';
import { signalGroup } from './kill-tree.js';
import { DEFAULT_KILL_GRACE_MS } from './process-group.js';

export interface WatchdogOptions {
  timeoutMs?: number;
  idleTimeoutMs?: number;
  killGraceMs?: number;
  signal?: AbortSignal;
}

export type KillReason = NonNullable<ProcessExit['killedBecause']>;

export interface Watchdog {
  reason: ProcessExit['killedBecause'];
  sawActivity(): void;
  stop(): void;
}

export function createWatchdog(pid: number, options: WatchdogOptions): Watchdog {
  const graceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  let graceTimer: NodeJS.Timeout | undefined;
  let idleTimer: NodeJS.Timeout | undefined;
  const watchdog: Watchdog = {
    reason: undefined,
    sawActivity() {
      if (options.idleTimeoutMs === undefined || watchdog.reason !== undefined) return;
      idleTimer?.refresh();
    },
    stop() {
      clearTimeout(wallTimer);
      clearTimeout(idleTimer);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
    },
  };
  const terminate = (reason: KillReason) => {
    if (watchdog.reason !== undefined) return;
    watchdog.reason = reason;
    clearTimeout(idleTimer);
    signalGroup(pid, 'SIGTERM');
    graceTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
  };
  const onAbort = () => terminate('cancelled');
  const wallTimer = options.timeoutMs === undefined ? undefined : setTimeout(() => terminate('timeout'), options.timeoutMs);
  if (options.idleTimeoutMs !== undefined) idleTimer = setTimeout(() => terminate('idle'), options.idleTimeoutMs);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  return watchdog;
}
