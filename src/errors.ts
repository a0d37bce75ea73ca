// Error classes herd throws. Agent failures are NOT thrown out of a batch: they become
// an AgentResult with `error.reason`. These are for the caller's mistakes (UsageError,
// exit 2) and for failures of herd itself (HerdError: store, workspace).

import type { FailureReason } from './types.js';

/** Bad input: a flag, a task file, an unknown run id. The CLI maps it to exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** herd itself could not do its job (disk full, unwritable workspace root...). */
export class HerdError extends Error {
  override readonly name = 'HerdError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Why one agent run ended badly; carried inside AgentResult.error, and thrown by runAgent with `throwOnFailure`. */
export class AgentRunError extends Error {
  override readonly name = 'AgentRunError';
  readonly reason: FailureReason;
  constructor(reason: FailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}
