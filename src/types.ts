// The data shapes every module shares: what an agent is asked (AgentTask), what came
// back (AgentResult, the same shape whether it worked or not) and the run summary.

/** Which CLI runs a task: a vendor's coding agent, or any command. */
export const AGENT_KINDS = ['claude', 'codex', 'gemini', 'command'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

/** What one agent is asked to do. Everything except `id` and `prompt` is optional. */
export interface AgentTask {
  id: string;
  prompt: string;
  agent?: AgentKind;
  /** For `agent: 'command'`: the program and its arguments; the prompt is appended unless `promptArg` is false. */
  command?: string[];
  promptArg?: boolean;
  /** For `agent: 'command'`: also write the prompt to the program's stdin, byte for byte (then closed). */
  promptStdin?: boolean;
  model?: string;
  systemPrompt?: string;
  appendSystemPrompt?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  permissionMode?: PermissionMode;
  maxTurns?: number;
  maxBudgetUsd?: number;
  addDirs?: string[];
  /**
   * Ask for structured output matching this JSON Schema (claude `--json-schema`); the answer's
   * JSON lands in AgentResult.structuredOutput. Ignored by the generic command adapter.
   */
  jsonSchema?: Record<string, unknown>;
  env?: Record<string, string>;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /** Files to write into the agent's workspace before it starts: relative path -> content. */
  files?: Record<string, string>;
  dependsOn?: string[];
  priority?: number;
  /**
   * Run the agent under bubblewrap (see README, Guardrails): true, or `{ network: false }` to
   * also take the network away from a command agent (claude always keeps it for the model API).
   */
  sandbox?: boolean | SandboxTaskOptions;
  /**
   * Runs on a repository (--repo/--copy): a command run in the agent's workspace after each of
   * its turns, e.g. "npm test" (split into words, quotes respected, no shell; give
   * ["sh", "-c", "..."] for pipes). Its exit decides `check: passed|failed`.
   */
  check?: string | string[];
  /** Runs on a repository: a command run in the workspace before the agent's first turn (e.g. "npm ci"); failing it fails the agent (reason `setup`). */
  setup?: string | string[];
  /** Stop the check after this long (default 5 min). */
  checkTimeoutMs?: number;
  /** Stop the setup after this long (default 10 min). */
  setupTimeoutMs?: number;
}

export interface SandboxTaskOptions {
  /** false: a command agent gets no network at all (claude agents ignore it). Default true. */
  network?: boolean;
}

/**
 * Where a run's agents work when they work on the user's code: `dir` is inside a git work
 * tree (each agent gets a worktree of `base` on a branch of its own), or `copy` is any
 * directory (each agent gets a copy, recorded in a private git repository of its own).
 */
export interface RepoOptions {
  dir?: string;
  copy?: string;
  /** The commit agents start from (default HEAD); resolved once, when the run starts. */
  base?: string;
  /** Carry the user's uncommitted changes (tracked and untracked) into the agents' starting commit. */
  includeDirty?: boolean;
}

/** What run.json records about the repository a run worked on. */
export interface RepoRecord {
  kind: 'worktree' | 'copy';
  /** The user's directory: the top of the work tree, or the directory copied. */
  root: string;
  /** The base as asked (e.g. HEAD, main, a sha). */
  base: string;
  /** The commit every agent started from (with includeDirty: a commit holding the uncommitted changes on top of base). */
  baseSha: string;
  /** The user's tree had uncommitted changes when the run started. */
  dirty: boolean;
  includeDirty: boolean;
  /** Every agent's branch is this plus its id (worktrees: herd/<runId>/). */
  branchPrefix: string;
}

/** What one agent's turn changed in its workspace, committed on its branch. */
export interface ChangeRecord {
  branch: string;
  /** The branch tip before the turn. */
  from: string;
  /** The branch tip after it (equal to `from` when nothing changed). */
  to: string;
  /** herd's commit of the changes the agent left uncommitted. */
  commit?: string;
  /** Commits the agent made itself during the turn (from..to holds them all). */
  agentCommits?: number;
  /** This turn's change (from..to). */
  files: number;
  insertions: number;
  deletions: number;
  /** The changed files (at most 200 are listed). */
  paths: string[];
  /** Everything the agent changed so far, against the run's base commit. */
  sinceBase: { files: number; insertions: number; deletions: number };
  /** How long herd took to commit and measure it. */
  recordMs: number;
  /** Recording failed (the work stays in the workspace). */
  error?: string;
}

/** The outcome of a check or setup command. */
export interface CommandCheck {
  command: string[];
  status: 'passed' | 'failed';
  exitCode?: number;
  signal?: string;
  /** Stopped by herd after its timeout. */
  timedOut?: boolean;
  /** It could not be started (no such program...). */
  spawnError?: string;
  durationMs: number;
  /** The last lines it printed (stdout, then stderr), bounded. */
  outputTail: string;
}

export const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan', 'dontAsk'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** Final states, plus 'pending'/'running' which only appear in run.json while a run is under way (or was killed). */
export type AgentStatus = 'succeeded' | 'failed' | 'timeout' | 'cancelled' | 'skipped' | 'budget' | 'pending' | 'running';
/** 'budget': stopped (or never started) because the run reached its spending cap; `herd resume --max-cost <more>` goes on. */
export const FINAL_STATUSES = ['succeeded', 'failed', 'timeout', 'cancelled', 'skipped', 'budget'] as const;
export type FailureReason =
  | 'spawn'
  | 'exit'
  | 'timeout'
  | 'idle'
  /** Spelled so in the JSON contract (run.json, events, --json) since wave 1; in code the word is "cancelled". */
  | 'canceled'
  | 'protocol'
  | 'rate-limit'
  | 'api'
  | 'dependency'
  | 'no-session'
  /** The agent could not authenticate to its model API (not logged in, key refused): no retry helps. */
  | 'auth'
  /** Its workspace could not be prepared (worktree, copy) or its --setup command failed. */
  | 'setup'
  /** herd itself failed while running this agent (a bug): the agent ends failed, the others run on. */
  | 'internal'
  /** A queue worker would not run it (an agent type or command it does not allow; see `herd worker`). */
  | 'refused'
  /** Its turn had to run on the queue worker holding its workspace, and that worker is not running. */
  | 'worker-gone'

  /** The run reached its spending cap (--max-cost) before this agent finished. */
  | 'budget';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
}

export interface AgentError {
  reason: FailureReason;
  message: string;
  /** HTTP status the agent's API reported, when it reported one. */
  apiStatus?: number;
}

export interface AgentResult {
  id: string;
  status: AgentStatus;
  sessionId?: string;
  workspace: string;
  result?: string;
  /**
   * The prompt this agent was sent, when it is not the one the record already holds (the task's,
   * or the turn's follow-up): a workflow template filled with its dependencies' results.
   */
  prompt?: string;
  /** The JSON the agent returned for the task's jsonSchema (claude's `structured_output`). */
  structuredOutput?: unknown;
  costUsd: number;
  /**
   * True when costUsd is herd's estimate, not the agent's own figure: computed from tokens and
   * the price table because the CLI reports no cost (codex, gemini), or from the token counts it
   * streamed because it ended (stopped, crashed) before reporting its own total.
   */
  costEstimated?: boolean;
  usage: Usage;
  numTurns?: number;
  durationMs: number;
  /** Time the agent's CLI says it spent waiting for the model API. */
  durationApiMs?: number;
  attempts: number;
  startedAt: string;
  endedAt: string;
  exitCode?: number;
  signal?: string;
  error?: AgentError;
  /** Last lines of stderr, bounded; kept for diagnosis of failures. */
  stderrTail?: string;
  /** Claude's own API retries seen in its stream (system/api_retry lines). */
  apiRetries?: number;
  /** The queue worker that ran it (`herd ... --queue`); its workspace is on that worker's machine. */
  worker?: string;
  /** Runs on a repository: what this turn changed, committed on the agent's branch. */
  change?: ChangeRecord;
  /** Runs on a repository with a check command: its outcome after this turn. */
  check?: CommandCheck;
  /** Runs on a repository with a setup command: its outcome before the agent's first turn. */
  setup?: CommandCheck;
}

export interface Totals {
  costUsd: number;
  wallMs: number;
  agentMs: number;
  /** Sum of the time agents said they spent waiting for the model API (where they report it). */
  apiMs: number;
  speedup: number;
  efficiency: number;
  /** The most agents that ran at the same moment (what efficiency divides by). */
  concurrency: number;
  /** The most the turn allowed at once (its concurrency limit, at most its agent count). */
  concurrencyLimit?: number;
  succeeded: number;
  failed: number;
  /** Of `failed`: agents stopped or not started because the run reached its spending cap (absent when none). */
  budget?: number;
  usage: Usage;
}

/** One round of prompts: the first spawn is turn 1, each `continue` adds one. */
export interface TurnSummary {
  turn: number;
  prompt?: string;
  /** Agents this turn was to run, so an interrupted turn can be finished (herd resume). */
  planned?: string[];
  /** Wall time of the turn, summed over its segments when it was resumed. */
  wallMs?: number;
  startedAt: string;
  endedAt: string;
  agents: AgentResult[];
  totals: Totals;
}

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** The run summary: what `--json` prints and what `run.json` holds. */
export interface RunSummary {
  runId: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string;
  simulated: boolean;
  /** Version string of the agent CLI, when it could be read (the first one seen in a mixed run). */
  agentVersion?: string;
  /** The version of each agent type's CLI the run used, e.g. { claude: "2.1.197", codex: "0.171.0" }. */
  agentVersions?: Partial<Record<AgentKind, string>>;
  /** Latest known result of every agent (across turns). */
  agents: AgentResult[];
  /** Totals of the latest turn. */
  totals: Totals;
  turns: TurnSummary[];
  /** The tasks as given (secrets removed), so resume and continue can rebuild them. */
  tasks: AgentTask[];
  workspaceRoot: string;
  /** Settings continuation needs: agents must resume with the same Claude config dir. */
  claudeConfigDir?: string;
  /** Present when the run was a workflow (herd run): its graph, stage accounts and judges' verdicts. */
  workflow?: WorkflowRecord;
  /** Why herd itself failed the latest turn although its agents ran (e.g. events.jsonl could not be written). */
  error?: string;
  /** The spending limits of the run (--max-cost, --warn-cost); later turns and resumes keep them unless given new ones. */
  budget?: RunBudgetLimits;
  /** Present when the agents worked on a repository (--repo) or a copy of a directory (--copy). */
  repo?: RepoRecord;
}

/** Spending limits for a whole run, in USD, over everything the run records (all turns). */
export interface RunBudgetLimits {
  maxCostUsd?: number;
  warnCostUsd?: number;
}

/** What a workflow run adds to its record. */
export interface WorkflowRecord {
  name?: string;
  /** The task file (absolute path) it came from. */
  file?: string;
  vars: Record<string, string>;
  /** The shared coordination directory every agent could use. */
  sharedDir?: string;
  tasks: WorkflowTaskRecord[];
  /** Filled in when the run ends. */
  stages: StageAccount[];
  /** The longest chain of dependent agents, by their actual durations. */
  criticalPath?: { agents: string[]; ms: number };
  judgements: Judgement[];
}

/** One task as written, and the agents it became (one; or several for each/compete). */
export interface WorkflowTaskRecord {
  id: string;
  kind: 'task' | 'each' | 'compete' | 'judge';
  agents: string[];
  /** Task ids it depends on, including the judged task for a judge. */
  dependsOn: string[];
  /** 1 for tasks without dependencies, else one more than the latest dependency's stage. */
  stage: number;
  priority: number;
  optional: boolean;
  /** For a judge: the task whose candidates it judges. */
  judges?: string;
  /** A judge that runs no agent: 'check' picks the candidate whose check passed with the smallest change. */
  pick?: 'check';
  /** On a repository: its worktrees start from this task's final commit (a judge's: its winner's) instead of the run's base. */
  baseFrom?: string;
  /** For a fan-out (each): its items, one per agent, so `herd resume` can fill `{{item}}` again. */
  items?: string[];
}

/** The timing and cost account of one stage of a workflow run. */
export interface StageAccount {
  stage: number;
  agents: string[];
  /** First start to last end of the stage's agents (stages may overlap: nothing waits for a whole stage). */
  wallMs: number;
  /** Sum of the agents' durations: the sequential estimate. */
  agentMs: number;
  savedMs: number;
  speedup: number;
  efficiency: number;
  costUsd: number;
  succeeded: number;
  failed: number;
  skipped: Array<{ id: string; reason: string }>;
}

/** A judge's decision among the candidates of a compete task. */
export interface Judgement {
  judge: string;
  of: string;
  candidates: string[];
  winner?: string;
  reason?: string;
  /** Where the verdict was read: claude's structured output (--json-schema), the answer's WINNER line, or no judge agent at all (pick: check). */
  source?: 'structured' | 'text' | 'check';
  /** Why no winner was recorded (the judge failed, or its answer named none). */
  error?: string;
}
