// The HTML report of a run: one self-contained page (inline CSS and SVG, no script, nothing
// loaded) with the totals, a timeline per turn, cost and token bars per agent, the dependency
// graph of workflow runs, and every agent's prompts and answers, all escaped. A strict
// Content-Security-Policy makes sure nothing in it can run or load even if escaping failed.

import type { HerdEvent } from '../events.js';
import type { AgentResult, AgentStatus, AgentTask, RunSummary, Totals, TurnSummary, WorkflowRecord, WorkflowTaskRecord } from '../types.js';
import { renderBarChartSvg, type BarRow } from './bars-svg.js';
import { hasDependencies, renderDependencyGraphSvg, type GraphNode } from './dependency-graph-svg.js';
import { formatCount, formatLocalTime, formatMs, formatUsd, sameLocalDay } from './format.js';
import { formatChange, formatCheck } from './summary-text.js';
import { escapeHtml } from './html-escape.js';
import { buildTimeline, type TimelineTurn } from './timeline.js';
import { renderTimelineSvg } from './timeline-svg.js';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

export interface HtmlReportInput {
  summary: RunSummary;
  events: readonly HerdEvent[];
  /** Lines of events.jsonl that could not be read (a crash tore them). */
  skippedEventLines?: number;
  generatedAt?: Date;
  /** IANA zone the times are shown in (default: the machine's own). */
  timeZone?: string;
}

/** Agent panels beyond this many start collapsed: a run of 50 agents is read from its summaries first. */
export const OPEN_AGENT_PANELS = 3;

export function renderHtmlReport(input: HtmlReportInput): string {
  const { summary } = input;
  const timeline = buildTimeline(summary, input.events);
  const title = `herd run ${summary.runId}`;
  const zone = input.timeZone === undefined ? {} : { timeZone: input.timeZone };
  const generated = input.generatedAt
    ? ` on <time datetime="${escapeHtml(input.generatedAt.toISOString())}">${escapeHtml(formatLocalTime(input.generatedAt.toISOString(), zone))}</time>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${renderHeader(summary, input.timeZone)}
${renderRunOverview(summary)}
${renderTimelines(timeline)}
${renderCostAndTokens(summary)}
${renderGraph(summary)}
${renderAgents(summary)}
<footer>Written by herd${generated} from run.json and events.jsonl${input.skippedEventLines ? `; ${input.skippedEventLines} damaged event line(s) skipped` : ''}.</footer>
</body>
</html>
`;
}

function renderHeader(summary: RunSummary, timeZone: string | undefined): string {
  const zone = timeZone === undefined ? {} : { timeZone };
  const started = formatLocalTime(summary.startedAt, zone);
  const ended = formatLocalTime(summary.endedAt, { ...zone, timeOnly: sameLocalDay(summary.startedAt, summary.endedAt, timeZone) });
  const time = (iso: string, text: string) => `<time datetime="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
  const facts = [
    `<span class="badge status-${escapeHtml(summary.status)}">${escapeHtml(summary.status)}</span>`,
    `started ${time(summary.startedAt, started)}`,
    `ended ${time(summary.endedAt, ended)}`,
  ];
  // One version per agent type (a cross-vendor run has several); older records have only agentVersion.
  const versions = Object.entries(summary.agentVersions ?? {});
  if (versions.length > 0) facts.push(versions.map(([kind, version]) => `${escapeHtml(kind)} ${escapeHtml(version)}`).join(', '));
  else if (summary.agentVersion) facts.push(`agent CLI ${escapeHtml(summary.agentVersion)}`);
  const simulated = summary.simulated
    ? `<p class="note">Simulated run: the answers come from herd's stand-in model API (--simulate), not from a real model.</p>`
    : '';
  return `<header><h1>herd run <code>${escapeHtml(summary.runId)}</code></h1><p class="facts">${facts.join(' · ')}</p>${simulated}</header>`;
}

/** Spent against the run's cap (--max-cost), and how many agents the cap stopped. */
function renderBudget(summary: RunSummary, runCostUsd: number): string {
  const cap = summary.budget?.maxCostUsd;
  if (cap === undefined) return '';
  const stopped = summary.agents.filter((agent) => agent.status === 'budget').length;
  const percent = Math.round((runCostUsd / cap) * 100);
  const stoppedText =
    stopped > 0
      ? `; ${stopped} agent${stopped === 1 ? ' was' : 's were'} stopped or not started at the cap (finish them with herd resume ${escapeHtml(summary.runId)} --max-cost &lt;more&gt;)`
      : '';
  return `<p class="budget">Spending cap: <span data-budget="spentUsd" data-value="${runCostUsd}">${formatUsd(runCostUsd)}</span> spent of <span data-budget="maxCostUsd" data-value="${cap}">${formatUsd(cap)}</span> (${percent}%)${stoppedText}.</p>`;
}

/**
 * The whole run first (cost, wall time, agents, turns over all its turns: what a person asks
 * before anything else), then one row per turn with that turn's parallelism.
 */
function renderRunOverview(summary: RunSummary): string {
  const costUsd = round6(summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0));
  const wallMs = summary.turns.reduce((sum, turn) => sum + turn.totals.wallMs, 0);
  const tokensIn = summary.turns.reduce((sum, turn) => sum + tokensInOf(turn.totals), 0);
  const tokensOut = summary.turns.reduce((sum, turn) => sum + turn.totals.usage.outputTokens, 0);
  const succeeded = summary.agents.filter((agent) => agent.status === 'succeeded').length;
  const turns = summary.turns.length;
  const item = (label: string, field: string, value: number, text: string, hint = '') =>
    `<div><dt>${label}</dt><dd data-run-total="${field}" data-value="${value}">${escapeHtml(text)}</dd>${hint ? `<dd class="hint">${escapeHtml(hint)}</dd>` : ''}</div>`;
  const cards = [
    item(
      'cost',
      'costUsd',
      costUsd,
      formatUsd(costUsd),
      `${formatCount(tokensIn)} tokens in, ${formatCount(tokensOut)} out${turns > 1 ? `, ${turns} turns` : ''}`,
    ),
    item('wall time', 'wallMs', wallMs, formatMs(wallMs), turns > 1 ? `the ${turns} turns' walls added up` : 'first start to last end'),
    item(
      'agents',
      'agents',
      summary.agents.length,
      String(summary.agents.length),
      `${succeeded} succeeded, ${summary.agents.length - succeeded} not${turns > 1 ? ' (latest turn each)' : ''}`,
    ),
    item('turns', 'turns', turns, String(turns), turns > 1 ? 'spawn, then one per continue' : 'the spawn'),
  ];
  return `<section id="totals"><h2>Whole run</h2><dl class="totals">${cards.join('')}</dl>${renderBudget(summary, costUsd)}<h3>Per turn</h3>${renderTurnTable(summary)}</section>`;
}

const tokensInOf = (totals: Totals) => totals.usage.inputTokens + totals.usage.cacheReadTokens + totals.usage.cacheCreationTokens;
const round6 = (value: number) => Math.round(value * 1e6) / 1e6;

/** Each turn's figures, with raw values (data-value) beside the text so a test can compare both with run.json. */
function renderTurnTable(summary: RunSummary): string {
  // Turn 1 has no prompt of its own: every agent had its task's (one prompt for spawn -n N).
  const taskPrompts = [...new Set(summary.tasks.map((task) => task.prompt))];
  const firstPrompt = taskPrompts.length === 1 ? taskPrompts[0]! : "each agent's own task";
  const cell = (field: string, value: number, text: string, title = '') =>
    `<td data-turn-total="${field}" data-value="${value}"${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</td>`;
  const rows = summary.turns.map((turn) => {
    const { totals } = turn;
    const parallel = describeParallelism(turn, summary);
    return `<tr data-turn="${turn.turn}"><td>${turn.turn}</td><td>${escapeHtml(clip(turn.prompt ?? firstPrompt, 60))}</td>${cell('agents', turn.agents.length, String(turn.agents.length))}${cell('succeeded', totals.succeeded, `${totals.succeeded}/${turn.agents.length}`)}${cell('wallMs', totals.wallMs, formatMs(totals.wallMs))}${cell('agentMs', totals.agentMs, formatMs(totals.agentMs), "the sum of the agents' own times: the sequential estimate")}${cell('speedup', totals.speedup, parallel.speedup, 'sum of agent time / wall')}${cell('efficiency', totals.efficiency, parallel.efficiency, parallel.why)}${cell('costUsd', totals.costUsd, formatUsd(totals.costUsd))}</tr>`;
  });
  return `<table class="turns"><thead><tr><th>turn</th><th>prompt</th><th>agents</th><th>succeeded</th><th>wall</th><th>agent time</th><th>speedup</th><th>parallelism</th><th>cost</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * What running side by side bought, only where that is a fair question (as in the text
 * account): nothing for an interrupted turn or one where nothing succeeded; a workflow's
 * wall against its critical path; otherwise speedup and efficiency at the concurrency used.
 */
function describeParallelism(turn: TurnSummary, summary: RunSummary): { speedup: string; efficiency: string; why: string } {
  const { totals } = turn;
  if (turn.agents.some((agent) => agent.status === 'cancelled')) return { speedup: '–', efficiency: 'interrupted', why: 'the turn was cut short' };
  if (totals.succeeded === 0) return { speedup: '–', efficiency: 'nothing succeeded', why: 'no agent finished its work' };
  const path = turn.turn === 1 ? summary.workflow?.criticalPath : undefined;
  if (path && path.ms > 0)
    return {
      speedup: `${totals.speedup.toFixed(2)}x`,
      efficiency: `wall ${Math.round((totals.wallMs / path.ms) * 100)}% of the critical path`,
      why: `critical path ${path.agents.join(' → ')}: ${formatMs(path.ms)}`,
    };
  const limit = totals.concurrencyLimit;
  const at = limit !== undefined && limit > totals.concurrency ? `at most ${totals.concurrency} at once (of ${limit})` : `at concurrency ${totals.concurrency}`;
  return {
    speedup: `${totals.speedup.toFixed(2)}x`,
    efficiency: `${Math.round(totals.efficiency * 100)}% ${at}`,
    why: 'speedup / the most agents that ran at once',
  };
}

function renderTimelines(turns: readonly TimelineTurn[]): string {
  // One time scale for every turn: a turn that took twice as long is drawn twice as long.
  const scaleMs = Math.max(1, ...turns.map((turn) => turn.spanMs));
  const bars = turns.flatMap((turn) => turn.bars);
  const statuses = STATUS_ORDER.filter((status) => bars.some((bar) => bar.status === status));
  const legend = statuses
    .map((status) => `<span><i class="swatch status-${status}"></i>${status}</span>`)
    .concat(
      bars.some((bar) => bar.startAtMs > bar.queuedAtMs) ? ['<span><i class="swatch queue"></i>waiting to start (for a slot or its dependencies)</span>'] : [],
      bars.some((bar) => bar.retries.length > 0) ? ['<span><i class="swatch retry"></i>retry</span>'] : [],
      bars.some((bar) => bar.timedOut) ? ['<span><i class="swatch timeout-mark"></i>stopped by a deadline (timeout or idle)</span>'] : [],
    )
    .join('');
  const charts = turns.map(
    (turn) =>
      `<figure class="turn" data-turn="${turn.turn}"><figcaption>Turn ${turn.turn}${turn.prompt === undefined ? '' : `: ${escapeHtml(clip(turn.prompt, 90))}`} <span class="hint">(${formatMs(turn.spanMs)})</span></figcaption>${renderTimelineSvg(turn, scaleMs)}</figure>`,
  );
  const scaleNote = turns.length > 1 ? '<p class="hint">All turns on one time scale.</p>' : '';
  return `<section id="timeline"><h2>Timeline</h2><p class="legend">${legend}</p>${scaleNote}${charts.join('\n')}</section>`;
}

const STATUS_ORDER: AgentStatus[] = ['succeeded', 'failed', 'timeout', 'budget', 'cancelled', 'skipped', 'running', 'pending'];

function renderCostAndTokens(summary: RunSummary): string {
  const ids = summary.agents.map((agent) => agent.id);
  const resultsOf = (id: string) =>
    summary.turns.flatMap((turn) => turn.agents.filter((agent) => agent.id === id).map((agent) => ({ turn: turn.turn, agent })));
  const costRows: BarRow[] = ids.map((id) => {
    const results = resultsOf(id);
    const total = results.reduce((sum, { agent }) => sum + agent.costUsd, 0);
    return {
      label: id,
      totalText: formatUsd(total),
      segments: results.map(({ turn, agent }) => ({
        value: agent.costUsd,
        className: `turn-${(turn - 1) % 4}`,
        title: `${id}, turn ${turn}: ${formatUsd(agent.costUsd)}`,
      })),
    };
  });
  const tokenRows: BarRow[] = ids.map((id) => {
    const results = resultsOf(id).map(({ agent }) => agent);
    const total = (field: keyof AgentResult['usage']) => results.reduce((sum, agent) => sum + agent.usage[field], 0);
    const kinds = [
      ['inputTokens', 'tokens-input', 'input'],
      ['cacheReadTokens', 'tokens-cache-read', 'cache read'],
      ['cacheCreationTokens', 'tokens-cache-creation', 'cache creation'],
      ['outputTokens', 'tokens-output', 'output'],
    ] as const;
    const segments = kinds.map(([field, className, name]) => ({ value: total(field), className, title: `${id}: ${formatCount(total(field))} ${name} tokens` }));
    const all = segments.reduce((sum, segment) => sum + segment.value, 0);
    return { label: id, totalText: `${formatCount(all)} tokens`, segments };
  });
  const turnLegend =
    summary.turns.length > 1
      ? `<p class="legend">${summary.turns.map((turn) => `<span><i class="swatch turn-${(turn.turn - 1) % 4}"></i>turn ${turn.turn}</span>`).join('')}</p>`
      : '';
  const tokenLegend = `<p class="legend"><span><i class="swatch tokens-input"></i>input</span><span><i class="swatch tokens-cache-read"></i>cache read</span><span><i class="swatch tokens-cache-creation"></i>cache creation</span><span><i class="swatch tokens-output"></i>output</span></p>`;
  return `<section id="cost"><h2>Cost per agent</h2>${turnLegend}${renderBarChartSvg(costRows, { chart: 'cost', ariaLabel: 'cost per agent' })}<h2>Tokens per agent</h2>${tokenLegend}${renderBarChartSvg(tokenRows, { chart: 'tokens', ariaLabel: 'tokens per agent' })}</section>`;
}

function renderGraph(summary: RunSummary): string {
  const nodes = graphNodesOf(summary);
  if (!hasDependencies(nodes)) return '';
  return `<section id="graph"><h2>Dependencies</h2>${renderDependencyGraphSvg(nodes)}${renderWorkflowAccount(summary.workflow)}</section>`;
}

/** A workflow run is drawn by its tasks (an each/compete task is one box for its agents); other runs by their agents. */
export function graphNodesOf(summary: RunSummary): GraphNode[] {
  const statusOf = (id: string) => summary.agents.find((agent) => agent.id === id)?.status;
  if (summary.workflow) {
    return summary.workflow.tasks.map((task) => ({
      id: task.id,
      label: task.kind === 'task' ? task.id : `${task.id} (${task.kind} ×${task.agents.length})`,
      dependsOn: task.dependsOn,
      status: groupStatus(task.kind, task.agents.map(statusOf)),
      detail: `${task.id}: ${task.kind}, stage ${task.stage}; agents ${task.agents.join(', ')}`,
    }));
  }
  return summary.tasks.map((task) => {
    const node: GraphNode = { id: task.id, dependsOn: task.dependsOn ?? [] };
    const status = statusOf(task.id);
    if (status) node.status = status;
    return node;
  });
}

const STATUS_PRECEDENCE: AgentStatus[] = ['failed', 'timeout', 'budget', 'cancelled', 'running', 'pending', 'skipped'];

/** One status for a group of agents: a compete task needs one winner-capable success, the others all of them. */
function groupStatus(kind: WorkflowTaskRecord['kind'], statuses: Array<AgentStatus | undefined>): AgentStatus {
  const known = statuses.map((status) => status ?? 'pending');
  if (known.length > 0 && known.every((status) => status === 'succeeded')) return 'succeeded';
  if (kind === 'compete' && known.includes('succeeded')) return 'succeeded';
  return STATUS_PRECEDENCE.find((status) => known.includes(status)) ?? 'pending';
}

function renderWorkflowAccount(workflow: WorkflowRecord | undefined): string {
  if (!workflow) return '';
  const stages = workflow.stages.map(
    (stage) =>
      `<tr><td>${stage.stage}</td><td>${escapeHtml(stage.agents.join(', '))}</td><td>${formatMs(stage.wallMs)}</td><td>${formatMs(stage.agentMs)}</td><td>${stage.speedup.toFixed(2)}x</td><td>${formatUsd(stage.costUsd)}</td><td>${stage.succeeded}/${stage.agents.length}</td></tr>`,
  );
  const table = stages.length
    ? `<table class="turns stages"><thead><tr><th>stage</th><th>agents</th><th>wall</th><th>agent time</th><th>speedup</th><th>cost</th><th>succeeded</th></tr></thead><tbody>${stages.join('')}</tbody></table>`
    : '';
  const critical = workflow.criticalPath
    ? `<p>Critical path: ${escapeHtml(workflow.criticalPath.agents.join(' → '))} (${formatMs(workflow.criticalPath.ms)})</p>`
    : '';
  const verdicts = workflow.judgements.map(
    (verdict) =>
      `<li>${escapeHtml(verdict.judge)} judged ${escapeHtml(verdict.of)}: ${verdict.winner ? `winner <b>${escapeHtml(verdict.winner)}</b>${verdict.reason ? ` (${escapeHtml(clip(verdict.reason, 200))})` : ''}` : `no winner${verdict.error ? `: ${escapeHtml(verdict.error)}` : ''}`}</li>`,
  );
  return `${table}${critical}${verdicts.length ? `<ul class="judgements">${verdicts.join('')}</ul>` : ''}`;
}

function renderAgents(summary: RunSummary): string {
  const agents = summary.agents.map((latest, index) => {
    const task = summary.tasks.find((candidate) => candidate.id === latest.id);
    const turns = summary.turns.flatMap((turn) =>
      turn.agents.filter((agent) => agent.id === latest.id).map((agent) => ({ turn: turn.turn, prompt: turn.prompt, agent })),
    );
    const totalCostUsd = turns.reduce((sum, { agent }) => sum + agent.costUsd, 0);
    const summaryLine = `<summary><b>${escapeHtml(latest.id)}</b> <span class="badge status-${escapeHtml(latest.status)}">${escapeHtml(latest.status)}</span> ${formatUsd(totalCostUsd)} · ${turns.length} turn${turns.length === 1 ? '' : 's'}</summary>`;
    const body = turns.map(({ turn, prompt, agent }) => renderAgentTurn(turn, agent.prompt ?? prompt ?? task?.prompt, agent)).join('');
    const open = index < OPEN_AGENT_PANELS ? ' open' : '';
    return `<details class="agent" id="agent-${escapeHtml(latest.id)}" data-agent="${escapeHtml(latest.id)}"${open}>${summaryLine}${renderTaskFacts(task, latest)}${body}</details>`;
  });
  const collapsed = summary.agents.length > OPEN_AGENT_PANELS ? `<p class="hint">The first ${OPEN_AGENT_PANELS} are open; click an agent to open it.</p>` : '';
  return `<section id="agents"><h2>Agents</h2>${collapsed}${agents.join('\n')}</section>`;
}

function renderTaskFacts(task: AgentTask | undefined, latest: AgentResult): string {
  const facts: string[] = [];
  if (task?.agent) facts.push(`agent ${escapeHtml(task.agent)}`);
  if (task?.model) facts.push(`model ${escapeHtml(task.model)}`);
  if (latest.sessionId) facts.push(`session <code>${escapeHtml(latest.sessionId)}</code>`);
  facts.push(`workspace <code>${escapeHtml(latest.workspace)}</code>`);
  if (task?.dependsOn?.length) facts.push(`depends on ${task.dependsOn.map(escapeHtml).join(', ')}`);
  const system = task?.systemPrompt ?? task?.appendSystemPrompt;
  const systemBlock = system
    ? `<h4>${task?.systemPrompt ? 'system prompt' : 'appended system prompt'}</h4><pre class="system">${escapeHtml(system)}</pre>`
    : '';
  return `<p class="facts">${facts.join(' · ')}</p>${systemBlock}`;
}

function renderAgentTurn(turn: number, prompt: string | undefined, agent: AgentResult): string {
  const facts = [
    `<span class="badge status-${escapeHtml(agent.status)}">${escapeHtml(agent.status)}</span>`,
    formatMs(agent.durationMs),
    formatUsd(agent.costUsd),
    `${formatCount(agent.usage.inputTokens + agent.usage.cacheReadTokens + agent.usage.cacheCreationTokens)} tokens in, ${formatCount(agent.usage.outputTokens)} out`,
  ];
  if (agent.numTurns !== undefined) facts.push(`${agent.numTurns} agentic turn${agent.numTurns === 1 ? '' : 's'}`);
  if (agent.attempts > 1) facts.push(`${agent.attempts} attempts`);
  if (agent.apiRetries) facts.push(`${agent.apiRetries} API retr${agent.apiRetries === 1 ? 'y' : 'ies'}`);
  const error = agent.error ? `<p class="error">${escapeHtml(agent.error.reason)}: ${escapeHtml(agent.error.message)}</p>` : '';
  const stderr = agent.stderrTail ? `<h4>stderr (last lines)</h4><pre class="stderr">${escapeHtml(agent.stderrTail)}</pre>` : '';
  const answer = agent.result !== undefined ? `<h4>answer</h4><pre class="answer">${escapeHtml(agent.result)}</pre>` : '<p class="hint">no answer</p>';
  return `<div class="agent-turn" data-turn="${turn}"><h3>turn ${turn}</h3><p class="facts">${facts.join(' · ')}</p><h4>prompt</h4><pre class="prompt">${escapeHtml(prompt ?? '')}</pre>${answer}${renderRepoFacts(agent)}${error}${stderr}</div>`;
}

/** On a repository: the turn's commit and diffstat, and the setup and check commands' outcomes. */
function renderRepoFacts(agent: AgentResult): string {
  const parts: string[] = [];
  const { change } = agent;
  if (change) {
    const listed = change.paths.length ? `<pre class="paths">${escapeHtml(change.paths.join('\n'))}</pre>` : '';
    const commit =
      change.from === change.to
        ? 'no change this turn'
        : `commit <code>${escapeHtml(change.to.slice(0, 12))}</code> on <code>${escapeHtml(change.branch)}</code>`;
    const turnStat = `this turn ${change.files} file${change.files === 1 ? '' : 's'} +${change.insertions} -${change.deletions}`;
    const error = change.error === undefined ? '' : ` · <span class="error">not recorded: ${escapeHtml(change.error)}</span>`;
    parts.push(
      `<h4>change</h4><p class="facts" data-change-files="${change.sinceBase.files}" data-change-insertions="${change.sinceBase.insertions}" data-change-deletions="${change.sinceBase.deletions}">${escapeHtml(formatChange(change))} since the base · ${turnStat} · ${commit}${change.agentCommits ? ` · ${change.agentCommits} commit(s) by the agent` : ''}${error}</p>${listed}`,
    );
  }
  for (const [label, check] of [
    ['setup', agent.setup],
    ['check', agent.check],
  ] as const) {
    if (!check) continue;
    const tail = check.outputTail ? `<pre class="check-output">${escapeHtml(check.outputTail)}</pre>` : '';
    parts.push(
      `<h4>${label}</h4><p class="facts" data-${label}="${escapeHtml(check.status)}"><code>${escapeHtml(check.command.join(' '))}</code> · ${escapeHtml(formatCheck(check))} · ${formatMs(check.durationMs)}</p>${tail}`,
    );
  }
  return parts.join('');
}

const clip = (text: string, width: number) => {
  const line = text.replace(/\s+/g, ' ').trim();
  return [...line].length <= width ? line : `${[...line].slice(0, width - 1).join('')}…`;
};

const STYLE = `
:root { --ok: #2f9e44; --bad: #e03131; --late: #7048e8; --off: #868e96; --skip: #ced4da; --run: #1c7ed6; --cap: #ae3ec9; --ink: #212529; --faint: #868e96; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0 auto; padding: 20px 28px 40px; max-width: 1000px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e9ecef; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 4px; } h4 { font-size: 12px; margin: 10px 0 2px; text-transform: uppercase; letter-spacing: .04em; color: var(--faint); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.facts, .hint { color: #495057; } .hint { color: var(--faint); font-size: 12px; }
.note { background: #fff9db; border: 1px solid #ffe066; padding: 6px 10px; border-radius: 4px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; font-weight: 600; }
.badge.status-succeeded { background: var(--ok); } .badge.status-failed { background: var(--bad); } .badge.status-timeout { background: var(--late); }
.badge.status-cancelled, .badge.status-running, .badge.status-pending { background: var(--off); } .badge.status-skipped { background: var(--skip); color: var(--ink); }
.badge.status-budget { background: var(--cap); }
dl.totals { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 0 0 6px; }
dl.totals div { border: 1px solid #e9ecef; border-radius: 6px; padding: 8px 10px; }
dl.totals dt { color: var(--faint); font-size: 12px; } dl.totals dd { margin: 0; font-size: 20px; font-weight: 600; } dl.totals dd.hint { font-size: 11px; font-weight: 400; }
table.turns { border-collapse: collapse; margin-top: 8px; width: 100%; } table.turns th, table.turns td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #f1f3f5; font-size: 13px; }
.legend span { margin-right: 14px; font-size: 12px; color: #495057; white-space: nowrap; }
.swatch { display: inline-block; width: 12px; height: 10px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
figure { margin: 6px 0 16px; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg .label, svg .duration, svg .value, svg .tick, svg .node text { fill: #343a40; } svg .tick { fill: var(--faint); font-size: 11px; }
svg .grid { stroke: #f1f3f5; }
.status-succeeded { fill: var(--ok); background: var(--ok); } .status-failed { fill: var(--bad); background: var(--bad); }
.status-timeout { fill: var(--late); background: var(--late); } .status-cancelled { fill: var(--off); background: var(--off); }
.status-skipped, .status-pending { fill: var(--skip); background: var(--skip); } .status-running { fill: var(--run); background: var(--run); }
.status-budget { fill: var(--cap); background: var(--cap); }
.queue { fill: #a5d8ff; background: #a5d8ff; }
.retry { fill: #fab005; stroke: #fff; stroke-width: 1; background: #fab005; }
.timeout-mark { stroke: var(--ink); stroke-width: 3; background: var(--ink); }
.turn-0 { fill: #4c6ef5; background: #4c6ef5; } .turn-1 { fill: #15aabf; background: #15aabf; } .turn-2 { fill: #be4bdb; background: #be4bdb; } .turn-3 { fill: #82c91e; background: #82c91e; }
.tokens-input { fill: #4c6ef5; background: #4c6ef5; } .tokens-cache-read { fill: #91a7ff; background: #91a7ff; }
.tokens-cache-creation { fill: #bac8ff; background: #bac8ff; } .tokens-output { fill: #f76707; background: #f76707; }
svg .node rect { stroke: #fff; } svg .node text { fill: #fff; font-weight: 600; } svg .edge { stroke: #868e96; stroke-width: 1.5; } svg .arrow-head { fill: #868e96; }
details.agent { border: 1px solid #e9ecef; border-radius: 6px; padding: 6px 12px; margin: 8px 0; }
details.agent summary { cursor: pointer; }
pre { white-space: pre-wrap; word-break: break-word; background: #f8f9fa; border: 1px solid #f1f3f5; border-radius: 4px; padding: 8px; margin: 2px 0; font: 12px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; max-height: 420px; overflow: auto; }
.error { color: var(--bad); }
footer { margin-top: 32px; color: var(--faint); font-size: 12px; }
@media print { details.agent { break-inside: avoid; } }
`;
