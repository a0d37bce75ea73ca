// The AgentAdapter interface: everything specific to one agent CLI (how to start it,
// how to read its output, how to judge its exit), nothing about batches.

import type { ProcessExit } from '../process/exit.js';
import type { AgentActivity } from '../events.js';
import type { AgentResult, AgentTask, FailureReason, Usage } from '../types.js';

export interface CommandSpec {
  file: string;
  args: string[];
  /** Variables to add to (or, with value undefined, remove from) the inherited environment. */
  env: Record<string, string | undefined>;
  /** Written to stdin, which is then closed (otherwise stdin is ignored). */
  input?: string | Uint8Array;
  /** What the parse starts from (e.g. a thread's usage so far, to take this turn's share of a running sum). */
  progress?: Partial<AgentProgress>;
}

export interface TurnOptions {
  /** Resume this session instead of starting a new one. */
  resumeSessionId?: string;
  /** The environment the process will get (before the adapter's own additions). */
  env?: Readonly<Record<string, string>>;
  /** A directory private to this agent in this run, for files the CLI must be handed (e.g. a schema). */
  privateDir?: string;
}

/** What an adapter needs to give one agent its own configuration (see AgentAdapter.prepare). */
export interface PrepareOptions {
  task: AgentTask;
  /** The agent's private directory in this run (created, mode 0700); it persists across turns. */
  dir: string;
  /** Set with --simulate: the stand-in server every request must go to. */
  simulateUrl?: string;
  /** The environment herd inherited (the user's own config locations come from it). */
  inheritedEnv: Readonly<Record<string, string | undefined>>;
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
  /** The agent said it could not authenticate to its model API (no login, no key, a key refused). */
  authFailed?: boolean;
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
  /** stdoutTail starts inside the output (it may start inside a secret: see secrets/redact.ts, tail). */
  stdoutTailCut?: boolean;
  /** The latest text the agent said before any final answer (bounded): what a stopped agent had got to. */
  partialText?: string;
  /** For CLIs whose usage is a running sum over the session: the sum before this turn. */
  usageBaseline?: Usage;
  /** The task asked for structured output, to be read from the answer text. */
  structuredOutputWanted?: boolean;
}

/** One thing worth telling listeners about, found while parsing a line. */
export type ParsedSignal =
  | { kind: 'session'; sessionId: string; model?: string; agentVersion?: string }
  /** `excerpt`: the assistant's latest text, whole; the supervisor redacts it, then keeps its end for live progress. */
  | { kind: 'output'; type: string; excerpt?: string; activity?: AgentActivity }
  /** `file`: the path a file tool works on; `command`: the command a shell tool runs (first line, bounded). */
  | { kind: 'tool'; tool: string; file?: string; command?: string }
  | { kind: 'retry'; attempt: number; status?: number; delayMs?: number }
  /**
   * One model call's tokens as streamed while it runs (claude: each assistant line). Several
   * lines may belong to one call (`messageId`); their `usage` repeats, their `outputChars` add up.
   * `usage.outputTokens` may be a placeholder (claude streams 1): `outputChars` is the better guess.
   */
  | { kind: 'usage'; messageId?: string; model?: string; usage: Usage; outputChars: number };

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
  /** The CLI's version when known without running it (claude says it in its stream instead). */
  readonly version?: string;
  /**
   * Give one agent its own configuration before its turn (a private config home, settings
   * files, the stand-in server under --simulate); returns the variables that point the CLI at
   * it. Called once per agent per turn; optional.
   */
  prepare?(options: PrepareOptions): Promise<Record<string, string>>;
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
