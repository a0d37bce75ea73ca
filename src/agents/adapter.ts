// The AgentAdapter interface: everything specific to one agent CLI (how to start it,
// how to read its output, how to judge its exit), nothing about batches.

import type { AgentResult, AgentTask, FailureReason, Usage } from '../types.js';

export interface CommandSpec {
  file: string;
  args: string[];
  /** Variables to add to (or, with value undefined, remove from) the inherited environment. */
  env: Record<string, string | undefined>;
}

export interface TurnOptions {
  /** Resume this session instead of starting a new one. */
  resumeSessionId?: string;
}

/** What the adapter learned from the stream so far; kept small (bounded). */
export interface AgentProgress {
  sessionId?: string;
  model?: string;
  agentVersion?: string;
  result?: string;
  isError?: boolean;
  subtype?: string;
  apiErrorStatus?: number;
  errors?: string[];
  costUsd?: number;
  usage?: Usage;
  numTurns?: number;
  durationMs?: number;
  durationApiMs?: number;
  /** Lines that could not be parsed (count only; content is not kept). */
  garbageLines: number;
  sawResult: boolean;
  apiRetries: number;
  /** For adapters whose answer is plain stdout: a bounded tail of it. */
  stdoutTail?: string;
}

/** One thing worth telling listeners about, found while parsing a line. */
export type ParsedSignal =
  | { kind: 'session'; sessionId: string; model?: string; agentVersion?: string }
  | { kind: 'output'; type: string }
  | { kind: 'tool'; tool: string }
  | { kind: 'retry'; attempt: number; status?: number; delayMs?: number };

export interface ProcessExit {
  exitCode?: number;
  signal?: string;
  /** Set when herd (not the agent) ended it. */
  killedBecause?: 'timeout' | 'idle' | 'canceled';
  spawnError?: string;
  stderrTail: string;
  /** Lines longer than the limit were dropped; how many. */
  oversizedLines: number;
}

export interface AgentOutcome {
  status: AgentResult['status'];
  error?: { reason: FailureReason; message: string; apiStatus?: number };
}

export interface AgentAdapter {
  readonly name: string;
  command(task: AgentTask, turn: TurnOptions): CommandSpec;
  /** Parse one stdout line (no newline). Must never throw: garbage is counted, not fatal. */
  parseLine(line: string, into: AgentProgress): ParsedSignal[];
  /** Decide success or failure from what was parsed and how the process ended. */
  judge(progress: AgentProgress, exit: ProcessExit): AgentOutcome;
}

export const createProgress = (): AgentProgress => ({ garbageLines: 0, sawResult: false, apiRetries: 0 });
