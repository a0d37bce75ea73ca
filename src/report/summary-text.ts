// The human account of a turn or a run: one row per agent, then the timing account
// (wall, sum of agent time, speedup, efficiency, cost). Plain text; callers pick the stream.

import path from 'node:path';
import type { AgentResult, ChangeRecord, CommandCheck, RunSummary, Totals, TurnSummary } from '../types.js';
import { firstLine, formatCount, formatMs, formatUsd, renderTable } from './format.js';

const RIGHT = new Set([2, 3, 4, 5]);

export function renderResultsTable(agents: readonly AgentResult[], answerWidth = 60): string {
  // Runs on a repository add what each agent changed and whether its check passed.
  const onRepo = agents.some((agent) => agent.change !== undefined || agent.check !== undefined || agent.setup !== undefined);
  const rows = agents.map((agent) => [
    agent.id,
    agent.status,
    formatMs(agent.durationMs),
    formatUsd(agent.costUsd),
    formatCount(agent.usage.inputTokens + agent.usage.cacheReadTokens + agent.usage.cacheCreationTokens),
    formatCount(agent.usage.outputTokens),
    ...(onRepo ? [formatChange(agent.change), formatCheck(agent.check)] : []),
    agent.status === 'succeeded' ? firstLine(agent.result, answerWidth) : firstLine(agent.error?.message ?? agent.result, answerWidth),
  ]);
  const header = ['agent', 'status', 'time', 'cost', 'in', 'out', ...(onRepo ? ['change', 'check'] : []), 'answer (first line) / error'];
  return renderTable(header, rows, RIGHT);
}

/** "1 file +3 -1", "no change", "-" (not recorded), or "not recorded: <why>" shortened. */
export function formatChange(change: ChangeRecord | undefined): string {
  if (!change) return '-';
  if (change.error !== undefined) return 'not recorded';
  const { files, insertions, deletions } = change.sinceBase;
  if (change.from === change.to && files === 0) return 'no change';
  return `${files} file${files === 1 ? '' : 's'} +${insertions} -${deletions}`;
}

/** On a repository: the agent's change and its setup/check outcome, a line each (for `herd show --agent`). */
export function renderRepoLines(agent: Pick<AgentResult, 'change' | 'check' | 'setup'>): string {
  const lines: string[] = [];
  const { change } = agent;
  if (change) {
    const turn =
      change.from === change.to
        ? 'nothing this turn'
        : `this turn ${change.files} file(s) +${change.insertions} -${change.deletions} in ${change.to.slice(0, 12)}`;
    lines.push(
      `change: ${formatChange(change)} since the base on ${change.branch} (${turn})${change.error === undefined ? '' : `; not recorded: ${change.error}`}`,
    );
  }
  for (const [label, check] of [
    ['setup', agent.setup],
    ['check', agent.check],
  ] as const) {
    if (!check) continue;
    lines.push(`${label}: ${formatCheck(check)} in ${formatMs(check.durationMs)} (${check.command.join(' ')})`);
    if (check.status === 'failed' && check.outputTail)
      lines.push(
        ...check.outputTail
          .split('\n')
          .slice(-10)
          .map((line) => `  | ${line}`),
      );
  }
  return lines.map((line) => `${line}\n`).join('');
}

/** "passed", "failed (exit 1)", "timed out", "-" when there is no check. */
export function formatCheck(check: CommandCheck | undefined): string {
  if (!check) return '-';
  if (check.status === 'passed') return 'passed';
  if (check.timedOut) return 'timed out';
  if (check.spawnError !== undefined) return 'failed (not started)';
  return `failed (${check.signal ?? `exit ${check.exitCode ?? '?'}`})`;
}

export interface TimingAccountOptions {
  /** The turn was cut short (Ctrl-C): its agents did not finish, so nothing was "saved". */
  interrupted?: boolean;
  /**
   * A workflow's critical path (the longest chain of dependent agents): its wall is judged
   * against that, since dependent tasks cannot overlap whatever the concurrency.
   */
  criticalPathMs?: number;
}

/** Below this, "saved" time is noise (a process start), not what parallelism bought. */
const MIN_SAVED_MS = 100;

export function renderTimingAccount(totals: Totals, options: TimingAccountOptions = {}): string {
  const tokensIn = totals.usage.inputTokens + totals.usage.cacheReadTokens + totals.usage.cacheCreationTokens;
  return [
    `agents     ${totals.succeeded} succeeded, ${totals.failed} not${totals.budget ? ` (${totals.budget} stopped at the spending cap)` : ''}`,
    ...parallelismLines(totals, options),
    ...(totals.apiMs > 0 ? [`model      ${formatMs(totals.apiMs)} of the agent time was spent waiting for the model API`] : []),
    `cost       ${formatUsd(totals.costUsd)}  (${formatCount(tokensIn)} tokens in, ${formatCount(totals.usage.outputTokens)} out)`,
  ].join('\n');
}

/** Wall time, and what running agents side by side bought: only where that is a fair question. */
function parallelismLines(totals: Totals, options: TimingAccountOptions): string[] {
  const wall = formatMs(totals.wallMs);
  const sum = `sum of agent time ${formatMs(totals.agentMs)}`;
  // Cut short, or nothing succeeded: a speedup of work that did not get done means nothing.
  if (options.interrupted) return [`wall       ${wall}  (interrupted; ${sum})`];
  if (totals.succeeded === 0) return [`wall       ${wall}  (${sum})`];
  const path = options.criticalPathMs;
  if (path !== undefined && path > 0) {
    const bound = `; the critical path allows at most ${(totals.agentMs / path).toFixed(2)}x`;
    return [
      `wall       ${wall}  (${Math.round((totals.wallMs / path) * 100)}% of the critical path, ${formatMs(path)}; ${sum})`,
      `speedup    ${totals.speedup.toFixed(2)}x  (sum of agent time / wall${bound})`,
    ];
  }
  const savedMs = totals.agentMs - totals.wallMs;
  const saved = savedMs >= MIN_SAVED_MS && totals.speedup >= 1.05 ? `, ${formatMs(savedMs)} saved` : '';
  const limit = totals.concurrencyLimit;
  const at =
    limit !== undefined && limit > totals.concurrency ? `at most ${totals.concurrency} at once (of ${limit} allowed)` : `at concurrency ${totals.concurrency}`;
  return [
    `wall       ${wall}  (${sum}${saved})`,
    `speedup    ${totals.speedup.toFixed(2)}x ${at}  (efficiency ${Math.round(totals.efficiency * 100)}%; sum of agent time / wall)`,
  ];
}

export function renderTurn(turn: TurnSummary, answerWidth?: number, options: Omit<TimingAccountOptions, 'interrupted'> = {}): string {
  const title = turn.prompt === undefined ? `turn ${turn.turn}` : `turn ${turn.turn}: ${firstLine(turn.prompt, 70)}`;
  const interrupted = turn.agents.some((agent) => agent.status === 'cancelled');
  return [title, renderResultsTable(turn.agents, answerWidth), '', renderTimingAccount(turn.totals, { ...options, interrupted })].join('\n');
}

/** `herd` is how the person runs herd (`npx herd` after a local install), for the hints at the end. */
export function renderRun(summary: RunSummary, answerWidth?: number, herd = 'herd'): string {
  const header = `run ${summary.runId}  ${summary.status}  started ${summary.startedAt}${summary.simulated ? "  (simulated: answers come from herd's stand-in API)" : ''}`;
  const turns = summary.turns.map((turn) => `\n${renderTurn(turn, answerWidth, workflowAccountOptions(summary, turn))}`);
  return [header, ...turns, '', ...renderRunFooter(summary, herd)].join('\n');
}

/** A workflow is turn 1 of its run: that turn is judged against the critical path. */
export function workflowAccountOptions(summary: RunSummary, turn: TurnSummary): Pick<TimingAccountOptions, 'criticalPathMs'> {
  const path = summary.workflow?.criticalPath;
  return path !== undefined && turn.turn === 1 ? { criticalPathMs: path.ms } : {};
}

/** What a table of first lines leaves out, and where to find it. */
function renderRunFooter(summary: RunSummary, herd: string): string[] {
  const lines: string[] = [];
  if (summary.turns.length > 1) {
    const costUsd = summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0);
    const wallMs = summary.turns.reduce((sum, turn) => sum + turn.totals.wallMs, 0);
    lines.push(`run total  ${formatUsd(costUsd)} over ${summary.turns.length} turns, ${formatMs(wallMs)} of wall time`);
  }
  const example = summary.agents[0]?.id ?? '<agent>';
  lines.push(`full answers: ${herd} show ${summary.runId} --agent ${example}   ·   timeline and costs: ${herd} report ${summary.runId}`);
  if (summary.repo) lines.push(`changes: ${herd} diff ${summary.runId} [--agent <id>]   ·   bring one in: ${herd} apply ${summary.runId} --agent <id>`);
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
