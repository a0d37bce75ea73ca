// The retry loop of one agent's turn: attempts until one is not transient (retry-policy.ts),
// the retries are spent or the run is cancelled; a rate limit also holds back every other
// start for a while (the shared RateLimitGate). All attempts add up into one result.

import type { RateLimitGate } from '../pool/rate-limit-gate.js';
import { sleep } from '../pool/rate-limit-gate.js';
import { mergeAttempts } from '../results.js';
import type { AgentResult } from '../types.js';
import type { Emit } from './emitter.js';
import { isTransientFailure, retryDelayMs, type RetryPolicy } from './retry-policy.js';

/** Without a Retry-After hint, how long a rate limit holds back new starts. */
export const DEFAULT_RATE_LIMIT_HOLD_MS = 5_000;

export interface RetryLoopOptions {
  agentId: string;
  retry: RetryPolicy;
  gate: RateLimitGate;
  emit: Emit;
  signal: AbortSignal | undefined;
  /** The latest delay the agent itself announced before retrying (a Retry-After-like hint). */
  retryHintMs: () => number | undefined;
}

export async function runWithRetries(runAttempt: (attempt: number) => Promise<AgentResult>, options: RetryLoopOptions): Promise<AgentResult> {
  let result: AgentResult | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const attemptResult = await runAttempt(attempt);
    result = result ? mergeAttempts(result, attemptResult) : attemptResult;
    if (attemptResult.error?.reason === 'rate-limit') {
      options.gate.hold(retryDelayMs(attempt, options.retry, options.retryHintMs() ?? DEFAULT_RATE_LIMIT_HOLD_MS), `${options.agentId} hit a rate limit`);
    }
    if (attempt > options.retry.retries || options.signal?.aborted || !isTransientFailure(attemptResult, options.retry)) return result;
    const delayMs = retryDelayMs(attempt, options.retry, options.retryHintMs());
    const status = attemptResult.error?.apiStatus;
    options.emit({ type: 'agent.retry', agentId: options.agentId, attempt: attempt + 1, delayMs, source: 'herd', ...(status === undefined ? {} : { status }) });
    await sleep(delayMs, options.signal);
    // Cancelled during the backoff: keep the last attempt's result rather than start another.
    if (options.signal?.aborted) return result;
  }
}
