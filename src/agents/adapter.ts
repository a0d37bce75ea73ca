// The AgentAdapter interface: everything specific to one agent CLI (how to start it,
// how to read its output, how to judge its exit), nothing about batches.

import type { ProcessExit } from '../process/exit.js';
import type { AgentResult, AgentTask, FailureReason, Usage } from '../types.js';

export interface CommandSpec {
  file: string;
  args: string[];
  /** Variables to add to (or, with value undefined, remove from) the inherited environment. */
  env: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (otherwise stdin is ignored). */
  input?: string | Uint8Array;
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
  structuredOutput?: unknown;
  isError?: boolean;
  subtype?: string;
  apiErrorStatus?: number;
  errors?: string[];
  costUsd?: number;
  usage?: Usage;
  numTurns?: number;
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
  | { kind: 'output'; type: string; excerpt?: string }
  | { kind: 'tool'; tool: string }
  | { kind: 'retry'; attempt: number; status?: number; delayMs?: number };

export interface AgentOutcome {
  status: AgentResult['status'];
  error?: { reason: FailureReason; message: string; apiStatus?: number };
}

/**
 * How an adapter keeps one process alive for many turns (optional: adapters without it
 * always run one process per turn). The process reads each turn from stdin.
 */
export interface WarmProtocol {
  /** argv and env of a process that takes its turns on stdin (no prompt in them). */
  command(task: AgentTask, turn: TurnOptions): CommandSpec;
  /** The stdin bytes that ask for one turn. */
  encodeTurn(prompt: string): string;
  /** True once the lines parsed into `progress` closed the turn (its answer is complete). */
  isTurnOver(progress: AgentProgress): boolean;
  /**
   * This turn's own share of what it reported, given what the same process reported for its
   * previous turn (undefined on its first): some counters are sums over the process's life.
   */
  toTurnShare(progress: AgentProgress, previous: AgentProgress | undefined): AgentProgress;
}

export interface AgentAdapter {
  readonly name: string;
  command(task: AgentTask, turn: TurnOptions): CommandSpec;
  warm?: WarmProtocol;
  /**
   * Parse one stdout line (no newline). Must never throw: garbage is counted, not fatal.
   * An adapter without it reads no lines: stdout is then not split at all.
   */
  parseLine?(line: string, into: AgentProgress): ParsedSignal[];
  /** The answer is the end of stdout: keep this many last bytes of it as `progress.stdoutTail`. */
  stdoutTailBytes?: number;
  /** Decide success or failure from what was parsed and how the process ended. */
  judge(progress: AgentProgress, exit: ProcessExit): AgentOutcome;
}

export const createProgress = (): AgentProgress => ({ garbageLines: 0, sawResult: false, apiRetries: 0 });
