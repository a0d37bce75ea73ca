// Public API of agent-herd: re-exports only.

export { Supervisor, defaultWorkspaceRoot } from './supervisor.js';
export type { SupervisorOptions, RunOptions, ContinueOptions } from './supervisor.js';
export { runAgent } from './run-agent-public.js';
export type { RunAgentOptions } from './run-agent-public.js';
export { AgentRunError, HerdError, UsageError } from './errors.js';
export type { HerdEvent, HerdEventType, HerdEventListener } from './events.js';
export type { AgentAdapter, AgentProgress, CommandSpec, ProcessExit, WarmProtocol } from './agents/adapter.js';
export { createClaudeAdapter, parseClaudeLine } from './agents/claude.js';
export { createCommandAdapter } from './agents/command.js';
export { resolveClaudeBin } from './agents/claude-bin.js';
export { startSimulateServer, simulateEnv } from './simulate/server.js';
export type { SimulateOptions, SimulateServer } from './simulate/server.js';
export { computeTotals } from './totals.js';
export { parseDuration, validateTasks } from './options.js';
export { renderResultsTable, renderTimingAccount, renderRun } from './report/summary-text.js';
export { listRuns, readRun } from './store/run-store.js';
export type * from './types.js';
export { loadWorkflowFile, workflowFromContent } from './workflow/workflow-file.js';
export type { LoadWorkflowOptions } from './workflow/workflow-file.js';
export { buildWorkflow } from './workflow/graph.js';
export { planWorkflow, durationsFromRun } from './workflow/plan.js';
export type { WorkflowPlan, PlanStage, PlanEstimate } from './workflow/plan.js';
export { renderPlan, renderWorkflowAccount } from './workflow/render-workflow.js';
export { fanOut, mapReduce, competeAndJudge } from './workflow/patterns.js';
export { parseVerdict } from './workflow/judge.js';
export type { WorkflowSpec, WorkflowTaskSpec, SharedSpec, Workflow, WorkflowAgent, WorkflowGroup } from './workflow/spec.js';
export type { WorkflowRunOptions } from './workflow/run-workflow.js';
