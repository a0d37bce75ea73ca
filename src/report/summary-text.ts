// The human account of a turn or a run: one row per agent, then the timing account
// (wall, sum of agent time, speedup, efficiency, cost). Plain text; callers pick the stream.

import path from 'node:path';
import type { AgentResult, RunSummary, Totals, TurnSummary } from '../types.js';
import { firstLine, formatCount, formatMs, formatUsd, renderTable } from './format.js';

const RIGHT = new Set([2, 3, 4, 5]);

export function renderResultsTable(agents: readonly AgentResult[], answerWidth = 60): string {
  const rows = agents.map((agent) => [
    agent.id,
    agent.status,
    formatMs(agent.durationMs),
    formatUsd(agent.costUsd),
    formatCount(agent.usage.inputTokens + agent.usage.cacheReadTokens + agent.usage.cacheCreationTokens),
    formatCount(agent.usage.outputTokens),
    agent.status === 'succeeded' ? firstLine(agent.result, answerWidth) : firstLine(agent.error?.message ?? agent.result, answerWidth),
  ]);
  return renderTable(['agent', 'status', 'time', 'cost', 'in', 'out', 'answer (first line) / error'], rows, RIGHT);
}

export function renderTimingAccount(totals: Totals): string {
  const saved = Math.max(0, totals.agentMs - totals.wallMs);
  return [
    `agents     ${totals.succeeded} succeeded, ${totals.failed} not${totals.budget ? ` (${totals.budget} stopped at the spending cap)` : ''}`,
    `wall       ${formatMs(totals.wallMs)}  (sum of agent time ${formatMs(totals.agentMs)}, ${formatMs(saved)} saved)`,
    `speedup    ${totals.speedup.toFixed(2)}x at concurrency ${totals.concurrency}  (efficiency ${Math.round(totals.efficiency * 100)}%; sum of agent time / wall)`,
    ...(totals.apiMs > 0 ? [`model      ${formatMs(totals.apiMs)} of the agent time was spent waiting for the model API`] : []),
    `cost       ${formatUsd(totals.costUsd)}  (${formatCount(totals.usage.inputTokens + totals.usage.cacheReadTokens + totals.usage.cacheCreationTokens)} tokens in, ${formatCount(totals.usage.outputTokens)} out)`,
  ].join('\n');
}

export function renderTurn(turn: TurnSummary, answerWidth?: number): string {
  const title = turn.prompt === undefined ? `turn ${turn.turn}` : `turn ${turn.turn}: ${firstLine(turn.prompt, 70)}`;
  return [title, renderResultsTable(turn.agents, answerWidth), '', renderTimingAccount(turn.totals)].join('\n');
}

export function renderRun(summary: RunSummary, answerWidth?: number): string {
  const header = `run ${summary.runId}  ${summary.status}  started ${summary.startedAt}${summary.simulated ? "  (simulated: answers come from herd's stand-in API)" : ''}`;
  return [header, ...summary.turns.map((turn) => `\n${renderTurn(turn, answerWidth)}`), '', ...renderRunFooter(summary)].join('\n');
}

/** What a table of first lines leaves out, and where to find it. */
function renderRunFooter(summary: RunSummary): string[] {
  const lines: string[] = [];
  if (summary.turns.length > 1) {
    const costUsd = summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0);
    const wallMs = summary.turns.reduce((sum, turn) => sum + turn.totals.wallMs, 0);
    lines.push(`run total  ${formatUsd(costUsd)} over ${summary.turns.length} turns, ${formatMs(wallMs)} of wall time`);
  }
  const example = summary.agents[0]?.id ?? '<agent>';
  lines.push(`full answers: herd show ${summary.runId} --agent ${example}   ·   timeline and costs: herd report ${summary.runId}`);
  return lines;
}

export function renderRunList(runs: readonly RunSummary[]): string {
  const rows = runs.map((run) => [
    run.runId,
    run.startedAt.replace('T', ' ').slice(0, 19),
    String(run.agents.length),
    String(run.turns.length),
    run.status,
    formatUsd(run.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0)),
    run.simulated ? 'simulated' : 'real',
    describeRun(run),
  ]);
  return renderTable(['run', 'started', 'agents', 'turns', 'status', 'cost', 'api', 'what'], rows, new Set([2, 3, 5]));
}

/** A few words to tell runs apart: the workflow's name or file, else the first task's prompt. */
function describeRun(run: RunSummary): string {
  const named = run.workflow?.name ?? (run.workflow?.file === undefined ? undefined : path.basename(run.workflow.file));
  const text = named ?? run.tasks[0]?.prompt ?? '';
  return firstLine(text, 40);
}
