// Which failures are worth another attempt, and how long to wait first. Transient: rate
// limits (429), overload (529), 5xx, connection errors, crashes by signal, and timeouts
// when asked. Permanent: bad requests, auth, invalid model, max turns, budget, bad resume id.

import type { AgentResult } from '../types.js';

export interface RetryPolicy {
  retries: number;
  retryTimeouts: boolean;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 0, retryTimeouts: false, baseDelayMs: 1_000, maxDelayMs: 60_000 };

const PERMANENT_API_STATUSES = new Set([400, 401, 403, 404, 413, 422]);

export function isTransientFailure(result: AgentResult, policy: Pick<RetryPolicy, 'retryTimeouts'>): boolean {
  const error = result.error;
  if (!error || result.status === 'succeeded' || result.status === 'cancelled' || result.status === 'skipped') return false;
  switch (error.reason) {
    case 'rate-limit':
      return true;
    case 'api':
      // No status means the CLI never got an HTTP answer: a connection error.
      return error.apiStatus === undefined || !PERMANENT_API_STATUSES.has(error.apiStatus);
    case 'timeout':
    case 'idle':
      return policy.retryTimeouts;
    case 'auth':
      // No login or a refused key stays so until a person fixes it.
      return false;
    case 'exit':
      // Killed by a signal nobody in herd sent (OOM killer, a crash) may go better next time;
      // a clean error exit (max turns, budget, bad resume id) will not.
      return result.signal !== undefined;
    default:
      return false;
  }
}

/** Exponential backoff with full jitter; a server's hint (Retry-After) wins when it is longer. */
export function retryDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  hintMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + random() * (ceiling / 2));
  return Math.max(jittered, Math.min(hintMs ?? 0, policy.maxDelayMs));
}
