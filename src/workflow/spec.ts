// What a workflow is, as a script or a task file gives it (WorkflowSpec), and what herd
// makes of it after validation and expansion (Workflow): one WorkflowAgent per agent to
// run, grouped by the task that produced it, with dependency edges between agents.

import type { DependencyEdge } from '../pool/dependency-scheduler.js';
import type { AgentTask, RepoOptions, WorkflowTaskRecord } from '../types.js';

/** One task as written: agent options plus the orchestration fields. */
export interface WorkflowTaskSpec extends Omit<AgentTask, 'dependsOn'> {
  /** Ids of tasks (as written, not expanded agents) that must finish first. */
  dependsOn?: string[];
  /** Fan-out: one agent per item, ids `<id>-1`, `<id>-2`, ...; `{{item}}` and `{{index}}` in the prompt (`{{index}}` in compete too). */
  each?: string[];
  /** Per item of `each`: a file to seed into that item's workspace under the item's name (from `each: {dir}`). */
  eachFiles?: Record<string, string>;
  /** Compete: N agents on the same task, or one per model in the list. */
  compete?: number | string[];
  /** This task judges the candidates of the named task and must answer `WINNER: <id>`. */
  judge?: string;
  /** With judge: decide without a judge agent. 'check': among the candidates whose check passed, the smallest change wins. */
  pick?: 'check';
  /** On a repository: start from this task's final commit (a judge's: its winner's), e.g. implement -> review -> fix on one line of commits. */
  baseFrom?: string;
  /** Dependents run even when this task fails (templates that need its result still cannot). */
  optional?: boolean;
}

export interface SharedSpec {
  /** Where the shared coordination directory lives (default `<run home>/shared`). */
  dir?: string;
  /** Files to put there before any agent starts: relative path -> content. */
  files?: Record<string, string>;
}

export interface WorkflowSpec {
  name?: string;
  /** The task file it came from (absolute); lets `herd plan` find durations of earlier runs. */
  file?: string;
  tasks: WorkflowTaskSpec[];
  /** Defaults for `{{vars.<name>}}`; `--var name=value` wins. */
  vars?: Record<string, string>;
  /** A directory every agent may use (claude gets `--add-dir`; every agent gets $HERD_SHARED_DIR). */
  shared?: boolean | SharedSpec;
  /** Spending cap and warning level for the whole run, in USD (the Supervisor's own options win). */
  maxCostUsd?: number;
  warnCostUsd?: number;
  /** Work on a repository: each agent in a worktree on its own branch (see RunOptions.repo). */
  repo?: RepoOptions;
}

export type GroupKind = WorkflowTaskRecord['kind'];

/** One task as written, after expansion: the agents it became and where it sits in the graph (stored as is in run.json). */
export type WorkflowGroup = WorkflowTaskRecord;

/** One agent to run. `task.prompt` may still hold `{{...}}` placeholders, filled in when it starts. */
export interface WorkflowAgent {
  task: AgentTask;
  group: string;
  /** 1-based position within an each/compete group. */
  index?: number;
  item?: string;
  dependsOn: DependencyEdge[];
  priority: number;
  stage: number;
}

export interface Workflow {
  name?: string;
  file?: string;
  vars: Record<string, string>;
  shared?: SharedSpec;
  repo?: RepoOptions;
  groups: WorkflowGroup[];
  agents: WorkflowAgent[];
  maxCostUsd?: number;
  warnCostUsd?: number;
}
