// The one place an AgentResult is made from nothing: every result (pending, not run, failed
// before start, failed inside herd) starts here, so the same shape holds for all of them.

import type { AgentError, AgentResult, AgentStatus, Usage } from './types.js';

export const emptyUsage = (): Usage => ({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 });

export interface NewResult {
  id: string;
  workspace: string;
  status: AgentStatus;
  /** 0 for an agent that never started. */
  attempts?: number;
  error?: AgentError;
  /** When it began (default: now). */
  startedAt?: Date;
}

/** A result with no time, money or output yet. */
export function createResult(fields: NewResult): AgentResult {
  const now = new Date().toISOString();
  const result: AgentResult = {
    id: fields.id,
    status: fields.status,
    workspace: fields.workspace,
    costUsd: 0,
    usage: emptyUsage(),
    durationMs: 0,
    attempts: fields.attempts ?? 0,
    startedAt: fields.startedAt?.toISOString() ?? now,
    endedAt: now,
  };
  if (fields.error) result.error = fields.error;
  return result;
}

/** One result for all attempts: the last attempt's outcome, with time, money and tokens of all of them. */
export function mergeAttempts(previous: AgentResult, latest: AgentResult): AgentResult {
  // An earlier segment that never started (cancelled in the queue) adds nothing, not even its time stamps.
  if (previous.attempts === 0)
    return latest.sessionId === undefined && previous.sessionId !== undefined ? { ...latest, sessionId: previous.sessionId } : latest;
  const usage = { ...latest.usage };
  for (const key of Object.keys(usage) as Array<keyof Usage>) usage[key] += previous.usage[key];
  const merged: AgentResult = {
    ...latest,
    startedAt: previous.startedAt,
    durationMs: previous.durationMs + latest.durationMs,
    costUsd: previous.costUsd + latest.costUsd,
    usage,
  };
  const sessionId = latest.sessionId ?? previous.sessionId;
  if (sessionId !== undefined) merged.sessionId = sessionId;
  if (previous.costEstimated) merged.costEstimated = true;
  return merged;
}
