// The plan of a workflow, before anything runs: its stages (what can run in parallel), the
// critical path, and, when durations of an earlier run are known, a sequential vs parallel
// time estimate (the parallel one replays the scheduler's rules with those durations).

import type { AgentResult, RunSummary } from '../types.js';
import type { Workflow, WorkflowAgent, WorkflowGroup } from './spec.js';
import { findCriticalPath } from './stage-account.js';

export interface PlanStage {
  stage: number;
  tasks: WorkflowGroup[];
  agentCount: number;
}

export interface PlanEstimate {
  /** The run the durations came from. */
  fromRunId: string;
  sequentialMs: number;
  parallelMs: number;
  concurrency: number;
  /** Agents the earlier run has no duration for: they were given the average of the others. */
  assumed: string[];
}

export interface WorkflowPlan {
  name?: string;
  file?: string;
  taskCount: number;
  agentCount: number;
  concurrency: number;
  stages: PlanStage[];
  /** Task ids along the longest chain (by estimated time when known, else by number of agents). */
  criticalPath: { tasks: string[]; agents: string[]; ms?: number };
  estimate?: PlanEstimate;
  /** Per agent id, the duration used for the estimate. */
  durationsMs?: Record<string, number>;
}

/** Durations of the succeeded agents of an earlier run, by agent id. */
export function durationsFromRun(summary: RunSummary): Map<string, number> {
  return new Map(summary.agents.filter((agent: AgentResult) => agent.status === 'succeeded').map((agent) => [agent.id, agent.durationMs]));
}

export function planWorkflow(workflow: Workflow, concurrency: number, earlier?: { runId: string; durationsMs: ReadonlyMap<string, number> }): WorkflowPlan {
  const stageCount = Math.max(...workflow.groups.map((group) => group.stage));
  const stages = Array.from({ length: stageCount }, (_, index) => {
    const tasks = workflow.groups.filter((group) => group.stage === index + 1);
    return { stage: index + 1, tasks, agentCount: tasks.reduce((sum, group) => sum + group.agents.length, 0) };
  });
  const durations = earlier ? fillDurations(workflow.agents, earlier.durationsMs) : undefined;
  const chain = findCriticalPath(workflow.agents, (id) => durations?.known.get(id) ?? 1);
  const plan: WorkflowPlan = {
    taskCount: workflow.groups.length,
    agentCount: workflow.agents.length,
    concurrency,
    stages,
    criticalPath: { tasks: groupsAlong(chain.agents, workflow.agents), agents: chain.agents, ...(durations ? { ms: chain.ms } : {}) },
  };
  if (workflow.name !== undefined) plan.name = workflow.name;
  if (workflow.file !== undefined) plan.file = workflow.file;
  if (earlier && durations) {
    plan.durationsMs = Object.fromEntries(durations.known);
    plan.estimate = {
      fromRunId: earlier.runId,
      sequentialMs: [...durations.known.values()].reduce((sum, ms) => sum + ms, 0),
      parallelMs: replaySchedule(workflow.agents, durations.known, concurrency),
      concurrency,
      assumed: durations.assumed,
    };
  }
  return plan;
}

/** Every agent gets a duration: its own from the earlier run, else the average of the known ones. */
function fillDurations(agents: readonly WorkflowAgent[], earlier: ReadonlyMap<string, number>): { known: Map<string, number>; assumed: string[] } | undefined {
  const measured = agents.map((agent) => earlier.get(agent.task.id)).filter((ms): ms is number => ms !== undefined);
  if (measured.length === 0) return undefined;
  const average = Math.round(measured.reduce((sum, ms) => sum + ms, 0) / measured.length);
  const assumed: string[] = [];
  const known = new Map<string, number>();
  for (const agent of agents) {
    const ms = earlier.get(agent.task.id);
    if (ms === undefined) assumed.push(agent.task.id);
    known.set(agent.task.id, ms ?? average);
  }
  return { known, assumed };
}

/** The scheduler's rules on a clock: start what is ready (priority, then order) while slots are free. */
export function replaySchedule(agents: readonly WorkflowAgent[], durationsMs: ReadonlyMap<string, number>, concurrency: number): number {
  const waiting = new Map(agents.map((agent, order) => [agent.task.id, { agent, order, deps: new Set(agent.dependsOn.map((edge) => edge.id)) }]));
  const running: Array<{ id: string; endMs: number }> = [];
  let nowMs = 0;
  while (waiting.size > 0 || running.length > 0) {
    const ready = [...waiting.values()].filter((entry) => entry.deps.size === 0).sort((a, b) => b.agent.priority - a.agent.priority || a.order - b.order);
    for (const entry of ready.slice(0, Math.max(0, concurrency - running.length))) {
      waiting.delete(entry.agent.task.id);
      running.push({ id: entry.agent.task.id, endMs: nowMs + (durationsMs.get(entry.agent.task.id) ?? 0) });
    }
    if (running.length === 0) break;
    running.sort((a, b) => a.endMs - b.endMs);
    const finished = running.shift()!;
    nowMs = finished.endMs;
    for (const entry of waiting.values()) entry.deps.delete(finished.id);
  }
  return Math.round(nowMs);
}

/** Agent ids along a chain, as the task ids they belong to (map-2 -> map). */
function groupsAlong(chain: readonly string[], agents: readonly WorkflowAgent[]): string[] {
  const groupOf = new Map(agents.map((agent) => [agent.task.id, agent.group]));
  return chain.map((id) => groupOf.get(id) ?? id).filter((group, index, all) => group !== all[index - 1]);
}
