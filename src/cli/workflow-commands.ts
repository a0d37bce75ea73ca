// `herd run <file>` and `herd plan <file>`: load and validate a workflow task file (bad
// files exit 2 before anything starts), show its plan, or run it with progress and
// Ctrl-C handling, then print the agents' table and the workflow's execution account.

import path from 'node:path';
import { UsageError } from '../errors.js';
import { defaultConcurrency, parseConcurrency, parsePositiveDuration, validateId } from '../options.js';
import { renderTurn, workflowAccountOptions } from '../report/summary-text.js';
import { resolveRunId } from '../store/run-ref.js';
import { listRuns, readRun } from '../store/run-store.js';
import { Supervisor, defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import type { RunSummary } from '../types.js';
import { buildWorkflow } from '../workflow/graph.js';
import { durationsFromRun, planWorkflow, type WorkflowPlan } from '../workflow/plan.js';
import { renderPlan, renderWorkflowAccount } from '../workflow/render-workflow.js';
import type { Workflow } from '../workflow/spec.js';
import { loadWorkflowFile } from '../workflow/workflow-file.js';
import { installInterruptHandlers } from './interrupt.js';
import { herdCommand } from './invocation.js';
import { createEventSinks, printJson, writeErr, writeOut } from './output.js';
import { EXIT_AGENT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import { closingLines, interruptedNote, supervisorOptionsFromFlags, type CommonRunFlags } from './run-commands.js';
import { commandDefaultsFromFlags, repoOptionsFromFlags, type RepoFlags } from './repo-flags.js';

export interface WorkflowFileFlags {
  var?: string[];
  eachFile?: string[];
  shared?: boolean;
}

export interface PlanFlags extends WorkflowFileFlags {
  concurrency?: string;
  workspaceRoot?: string;
  durationsFrom?: string;
  json?: boolean;
}

export interface RunWorkflowFlags extends WorkflowFileFlags, CommonRunFlags, RepoFlags {
  dryRun?: boolean;
  durationsFrom?: string;
  runId?: string;
  timeout?: string;
  idleTimeout?: string;
}

export async function planCommand(file: string, flags: PlanFlags): Promise<number> {
  const workflow = await loadWorkflow(file, flags);
  printPlan(await buildPlan(workflow, flags), flags);
  return EXIT_OK;
}

export async function runWorkflowCommand(file: string, flags: RunWorkflowFlags): Promise<number> {
  const workflow = await loadWorkflow(file, flags);
  if (flags.dryRun) {
    printPlan(await buildPlan(workflow, flags), flags);
    return EXIT_OK;
  }
  const options = supervisorOptionsFromFlags(flags);
  if (flags.timeout !== undefined) options.timeoutMs = parsePositiveDuration('--timeout', flags.timeout);
  if (flags.idleTimeout !== undefined) options.idleTimeoutMs = parsePositiveDuration('--idle-timeout', flags.idleTimeout);
  const runId = flags.runId === undefined ? undefined : validateId('run id', flags.runId);
  const repo = repoOptionsFromFlags(flags, workflow.repo);
  // --check/--setup are defaults: a task's own check wins.
  const commands = commandDefaultsFromFlags(flags);
  const judges = new Set(workflow.groups.filter((group) => group.kind === 'judge').map((group) => group.id));
  for (const agent of workflow.agents) if (!judges.has(agent.group)) agent.task = { ...commands, ...agent.task };

  const sinks = createEventSinks(flags);
  const supervisor = new Supervisor({ ...options, onEvent: sinks.listener });
  const interrupt = installInterruptHandlers(writeErr);
  let summary: RunSummary;
  try {
    summary = await supervisor.runWorkflow(workflow, { signal: interrupt.signal, ...(runId === undefined ? {} : { runId }), ...(repo ? { repo } : {}) });
  } finally {
    // Closes the queue connection, when there is one.
    await supervisor.close();
    interrupt.dispose();
    await sinks.close();
  }
  const interrupted = interrupt.received !== undefined || summary.status === 'cancelled';
  printRun(summary, flags, interrupted);
  if (interrupted) {
    writeErr(interruptedNote(summary, supervisor.workspaceRoot, herdCommand(), options.queue === undefined ? '' : ' --queue <url>'));
    return EXIT_INTERRUPTED;
  }
  if (summary.error !== undefined) {
    writeErr(`herd: ${summary.error}\n`);
    return EXIT_AGENT_FAILED;
  }
  return summary.agents.every((agent) => agent.status === 'succeeded') ? EXIT_OK : EXIT_AGENT_FAILED;
}

async function loadWorkflow(file: string, flags: WorkflowFileFlags): Promise<Workflow> {
  const eachFiles = Object.fromEntries((flags.eachFile ?? []).map((assignment) => parseAssignment('--each-file', assignment, 'TASK=FILE')));
  const spec = await loadWorkflowFile(file, { eachFiles, ...(flags.shared ? { shared: true } : {}) });
  const vars = Object.fromEntries((flags.var ?? []).map((assignment) => parseAssignment('--var', assignment, 'NAME=value')));
  return buildWorkflow(spec, vars);
}

/** NAME=value; the name is a plain identifier (letters, digits, _, -), the value anything. */
function parseAssignment(flag: string, assignment: string, shape: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/s.exec(assignment);
  if (!match) throw new UsageError(`${flag}: expected ${shape}, got ${JSON.stringify(assignment)}`);
  return [match[1]!, match[2]!];
}

async function buildPlan(workflow: Workflow, flags: { concurrency?: string; workspaceRoot?: string; durationsFrom?: string }): Promise<WorkflowPlan> {
  const concurrency = flags.concurrency === undefined ? defaultConcurrency(workflow.agents.length) : parseConcurrency('-c/--concurrency', flags.concurrency);
  const root = path.resolve(flags.workspaceRoot ?? defaultWorkspaceRoot());
  const earlier = await findEarlierRun(root, workflow, flags.durationsFrom);
  return planWorkflow(workflow, concurrency, earlier && { runId: earlier.runId, durationsMs: durationsFromRun(earlier) });
}

/** The run named by --durations-from, else the latest run of the same task file that has a finished agent. */
async function findEarlierRun(root: string, workflow: Workflow, runId: string | undefined): Promise<RunSummary | undefined> {
  if (runId !== undefined) return readRun(root, await resolveRunId(root, runId));
  if (workflow.file === undefined) return undefined;
  const { runs } = await listRuns(root);
  return runs.find((run) => run.workflow?.file === workflow.file && run.agents.some((agent) => agent.status === 'succeeded'));
}

function printPlan(plan: WorkflowPlan, flags: { json?: boolean }): void {
  if (flags.json) printJson(plan);
  else writeOut(`${renderPlan(plan)}\n`);
}

function printRun(summary: RunSummary, flags: RunWorkflowFlags, interrupted: boolean): void {
  if (flags.json) printJson(summary);
  if (flags.quiet && flags.json) return;
  const latest = summary.turns.at(-1);
  if (!latest) return;
  const width = Math.max(30, (process.stderr.columns ?? 120) - 60);
  const table = renderTurn(latest, width, workflowAccountOptions(summary, latest));
  writeErr(`\n${table}\n\n${renderWorkflowAccount(summary)}\n${closingLines(summary, [latest], interrupted, ' [--agent <task id>]', herdCommand())}`);
}
