// The vocabulary between whoever decides what runs in a turn (Supervisor, workflow) and the
// turn runner that runs it: one entry per agent, and an optional scheduler that orders them.

import type { AgentResult, AgentTask, FailureReason, RunBudgetLimits } from './types.js';

export interface TurnEntry {
  task: AgentTask;
  workspace: string;
  resumeSessionId?: string;
  /** Do not run; record as skipped with this reason. */
  skip?: string;
  /** The error reason recorded with `skip` (default 'no-session'; a workflow uses 'dependency'). */
  skipReason?: FailureReason;
  /** Look at a finished result before it is recorded (a workflow judge whose answer names no winner becomes failed). */
  check?: (result: AgentResult) => AgentResult;
  /** For a sandboxed agent: more paths it may write or read (e.g. its worktree's repository .git). */
  sandboxPaths?: { writable?: string[]; readable?: string[] };
  /** Runs on a repository: the commit a new worktree starts from instead of the run's base (a workflow's baseFrom). */
  baseCommit?: string;
  /** Decided without running an agent (a workflow's `pick: check`): this result is recorded as the agent's. */
  decide?: () => AgentResult;
}

/**
 * Decides when each entry runs (default: all through the pool by priority). A workflow
 * passes one that starts entries as their dependencies finish. `runOne` runs and records
 * one entry exactly as the default does (it never rejects); `pool` holds the limits every
 * start must respect.
 */
export type TurnScheduler = (
  entries: TurnEntry[],
  runOne: (entry: TurnEntry) => Promise<AgentResult>,
  pool: { concurrency: number; beforeStart: () => Promise<void>; signal: AbortSignal | undefined },
) => Promise<void>;

export interface TurnRunOptions {
  /** The follow-up prompt of a continuation turn (turn 1 uses each task's own prompt). */
  prompt?: string;
  /** Finish the latest turn (herd resume) instead of starting a new one. */
  resumeTurn?: boolean;
  schedule?: TurnScheduler;
  /** Spending limits from the workflow file (the Supervisor's own options win over them). */
  budget?: RunBudgetLimits;
  /** Said once the turn has started (run.warning), e.g. that the user's uncommitted changes were left out. */
  warnings?: string[];
}
