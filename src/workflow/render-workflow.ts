// Plain-text views of a workflow: the plan (`herd plan`, `herd run --dry-run`) and the
// execution account after a run (per stage, critical path, judges' verdicts, skips, cost
// per task). Callers choose the stream.

import path from 'node:path';
import { firstLine, formatMs, formatUsd, renderTable } from '../report/format.js';
import type { AgentResult, RunSummary } from '../types.js';
import type { WorkflowPlan } from './plan.js';
import type { WorkflowGroup } from './spec.js';

/** `cwd` only shortens the file name shown. */
export function renderPlan(plan: WorkflowPlan, cwd = process.cwd()): string {
  const file = plan.file === undefined ? undefined : plan.file.startsWith(cwd + path.sep) ? path.relative(cwd, plan.file) : plan.file;
  const title = `plan${plan.name ? ` "${plan.name}"` : ''}${file ? ` (${file})` : ''}`;
  const shape = `${plural(plan.taskCount, 'task')} -> ${plural(plan.agentCount, 'agent')} in ${plural(plan.stages.length, 'stage')}, widest stage ${Math.max(0, ...plan.stages.map((stage) => stage.agentCount))}, concurrency cap ${plan.concurrency}; a task starts as soon as its own dependencies finish`;
  const estimated = plan.durationsMs;
  const rows = plan.stages.flatMap((stage) =>
    stage.tasks.map((task, index) => [
      index === 0 ? String(stage.stage) : '',
      task.id,
      describeRuns(task),
      task.dependsOn.length ? task.dependsOn.join(', ') : '-',
      String(task.priority),
      ...(estimated ? [formatEstimate(task, estimated)] : []),
    ]),
  );
  const header = ['stage', 'task', 'runs', 'after', 'priority', ...(estimated ? ['est. each'] : [])];
  const lines = [title, shape, '', renderTable(header, rows), ''];
  lines.push(`in parallel    ${plan.stages.map((stage) => `stage ${stage.stage}: ${plural(stage.agentCount, 'agent')}`).join(' · ')}`);
  const pathTime = plan.criticalPath.ms === undefined ? '' : `, ${formatMs(plan.criticalPath.ms)}`;
  lines.push(`critical path  ${plan.criticalPath.tasks.join(' -> ')}  (${plural(plan.criticalPath.agents.length, 'agent')} one after another${pathTime})`);
  lines.push(`estimate       ${describeEstimate(plan)}`);
  return lines.join('\n');
}

function describeRuns(task: WorkflowGroup): string {
  const count = plural(task.agents.length, 'agent');
  switch (task.kind) {
    case 'each':
      return `${count} (each)`;
    case 'compete':
      return `${count} (compete)`;
    case 'judge':
      return `${count} (judge of ${task.judges})`;
    default:
      return `${count}${task.optional ? ' (optional)' : ''}`;
  }
}

function formatEstimate(task: WorkflowGroup, durationsMs: Record<string, number>): string {
  const known = task.agents.map((id) => durationsMs[id]).filter((ms): ms is number => ms !== undefined);
  return known.length ? formatMs(known.reduce((sum, ms) => sum + ms, 0) / known.length) : '-';
}

function describeEstimate(plan: WorkflowPlan): string {
  const estimate = plan.estimate;
  if (!estimate) return 'no durations known yet: run it once (or pass --durations-from <runId>) for a sequential vs parallel estimate';
  const saved = Math.max(0, estimate.sequentialMs - estimate.parallelMs);
  const speedup = estimate.parallelMs > 0 ? (estimate.sequentialMs / estimate.parallelMs).toFixed(1) : '-';
  const assumed = estimate.assumed.length ? `; ${plural(estimate.assumed.length, 'agent')} not in that run assumed average` : '';
  return `sequential ${formatMs(estimate.sequentialMs)} · parallel ${formatMs(estimate.parallelMs)} at concurrency ${estimate.concurrency} · saves ${formatMs(saved)} (${speedup}x)  [durations from run ${estimate.fromRunId}${assumed}]`;
}

/** The per-stage account, critical path, verdicts, skips and cost per task of a finished workflow run. */
export function renderWorkflowAccount(summary: RunSummary): string {
  const record = summary.workflow;
  if (!record) return '';
  // The workflow is turn 1; later turns (herd continue) have their own accounts.
  const turn = summary.turns[0];
  const totals = turn?.totals ?? summary.totals;
  const agents = turn?.agents ?? summary.agents;
  const rows = record.stages.map((stage) => [
    String(stage.stage),
    String(stage.agents.length),
    formatMs(stage.wallMs),
    formatMs(stage.agentMs),
    // A one-agent stage saves nothing: a dash, not "0ms" (nor a few ms of noise).
    stage.savedMs >= MIN_SAVED_MS ? formatMs(stage.savedMs) : '-',
    `${stage.speedup.toFixed(2)}x`,
    `${Math.round(stage.efficiency * 100)}%`,
    formatUsd(stage.costUsd),
    `${stage.succeeded}/${stage.failed}/${stage.skipped.length}`,
  ]);
  const lines = [
    `workflow${record.name ? ` "${record.name}"` : ''}: per stage (stages overlap: a task starts as soon as its own dependencies finish)`,
    renderTable(['stage', 'agents', 'wall', 'agent time', 'saved', 'speedup', 'efficiency', 'cost', 'ok/failed/skipped'], rows, new Set([1, 2, 3, 4, 5, 6, 7])),
    '',
  ];
  if (record.criticalPath) {
    const share =
      totals.wallMs > 0 && record.criticalPath.ms > 0
        ? `; run wall ${formatMs(totals.wallMs)} = ${Math.round((totals.wallMs / record.criticalPath.ms) * 100)}% of it`
        : '';
    lines.push(`critical path  ${record.criticalPath.agents.join(' -> ')}  ${formatMs(record.criticalPath.ms)}${share}`);
  }
  for (const judgement of record.judgements) {
    lines.push(
      judgement.winner
        ? `judge          ${judgement.judge} chose ${judgement.winner} of ${judgement.candidates.join(', ')}: ${firstLine(judgement.reason, 100)}`
        : `judge          ${judgement.judge} chose no winner: ${firstLine(judgement.error, 120)}`,
    );
  }
  for (const stage of record.stages) for (const skipped of stage.skipped) lines.push(`skipped        ${skipped.id}: ${firstLine(skipped.reason, 120)}`);
  lines.push(
    `cost by task   ${record.tasks.map((task) => `${task.id} ${formatUsd(costOf(task.agents, agents))}`).join(' · ')}  (total ${formatUsd(totals.costUsd)})`,
  );
  if (record.sharedDir) lines.push(`shared dir     ${record.sharedDir}`);
  return lines.join('\n');
}

function costOf(ids: readonly string[], agents: readonly AgentResult[]): number {
  return agents.filter((agent) => ids.includes(agent.id)).reduce((sum, agent) => sum + agent.costUsd, 0);
}

/** As in the turn account (summary-text.ts): below this, "saved" is noise. */
const MIN_SAVED_MS = 100;

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
