// The herd ui page: the runs on this machine (live), one run's agents as they work, actions on
// them, and the history of all runs. Everything shown comes from the server as data and is put
// on the page as text (dom.ts).

import type { HerdEvent } from '../../events.js';
import { applyEvent, createSnapshot, type LiveAgent, type LiveSnapshot } from '../../progress/state.js';
import type { AgentResult, RunSummary } from '../../types.js';
import type { History } from '../history.js';
import type { listRow } from '../server.js';
import { getJson, postJson } from './api.js';
import { drawBars } from './charts.js';
import { el, replaceChildren } from './dom.js';
import { formatDuration, formatLocalTime, formatPercent, formatUsd } from './format.js';

type RunRow = ReturnType<typeof listRow>;

interface Selected {
  runId: string;
  /** What the actions bar was drawn for: redrawn only when this changes, so a half-typed prompt survives updates. */
  actionsKey?: string | undefined;
  /** The agent the follow-up goes to (undefined: all). */
  continueTo?: string | undefined;
  run?: RunSummary;
  live: LiveSnapshot;
  /** Per agent: what it did, as lines (tools, retries, errors), from the event log. */
  activity: Map<string, string[]>;
  source?: EventSource;
  open: Set<string>;
  refetchTimer?: number | undefined;
  /** Reads of run.json can finish out of order: only the latest one asked for is shown. */
  readsAsked: number;
}

const root = document.getElementById('app')!;
let runs: RunRow[] = [];
let selected: Selected | undefined;
let view: 'runs' | 'history' = 'runs';
/** What the run list was last drawn from: it is redrawn only when that changes. */
let drawnRuns = '';
/** Events come in bursts (20 agents ending together): the run is drawn at most every 500 ms. */
const DRAW_INTERVAL_MS = 500;
let drawPending: number | undefined;

function scheduleRenderRun(): void {
  if (drawPending !== undefined) return;
  drawPending = window.setTimeout(() => {
    drawPending = undefined;
    renderRun();
  }, DRAW_INTERVAL_MS);
}

function start(): void {
  const stream = new EventSource('/api/runs/stream');
  stream.onmessage = (message: MessageEvent<string>) => {
    runs = (JSON.parse(message.data) as { runs: RunRow[] }).runs;
    if (!selected && runs[0]) select(runs[0].runId);
    else renderRunListIfChanged();
    // A run record changed on disk: the one shown may be it (e.g. its status after a cancel).
    if (selected) scheduleRefetch(selected);
  };
  window.setInterval(() => {
    if (selected?.live.agents.some((agent) => agent.state === 'running')) scheduleRenderRun();
  }, 1_000);
  render();
}

function select(runId: string): void {
  selected?.source?.close();
  selected = { runId, live: createSnapshot(), activity: new Map(), open: new Set(), readsAsked: 0 };
  const current = selected;
  void refreshRun(current);
  const source = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
  current.source = source;
  source.onmessage = (message: MessageEvent<string>) => {
    const event = JSON.parse(message.data) as HerdEvent;
    applyEvent(current.live, event);
    noteActivity(current, event);
    if (event.type === 'agent.end' || event.type === 'run.end' || event.type === 'run.start') scheduleRefetch(current);
    if (selected === current) scheduleRenderRun();
  };
  if (view === 'runs' && document.getElementById('run')) {
    replaceChildren(document.getElementById('run')!, el('p', { class: 'muted' }, 'loading…'));
    renderRunListIfChanged();
  } else {
    render();
  }
}

function scheduleRefetch(current: Selected): void {
  if (current.refetchTimer !== undefined) return;
  current.refetchTimer = window.setTimeout(() => {
    current.refetchTimer = undefined;
    void refreshRun(current);
  }, 150);
}

async function refreshRun(current: Selected): Promise<void> {
  current.readsAsked += 1;
  const asked = current.readsAsked;
  try {
    const run = await getJson<RunSummary>(`/api/runs/${encodeURIComponent(current.runId)}`);
    if (asked !== current.readsAsked) return;
    current.run = run;
  } catch (error) {
    showNotice(`cannot read run ${current.runId}: ${(error as Error).message}`);
  }
  if (selected === current) scheduleRenderRun();
}

function noteActivity(current: Selected, event: HerdEvent): void {
  if (!('agentId' in event)) return;
  const line = describeEvent(event);
  if (line === undefined) return;
  const lines = current.activity.get(event.agentId) ?? [];
  lines.push(`${new Date(event.ts).toLocaleTimeString()}  ${line}`);
  if (lines.length > 200) lines.splice(0, lines.length - 200);
  current.activity.set(event.agentId, lines);
}

function describeEvent(event: HerdEvent): string | undefined {
  switch (event.type) {
    case 'agent.start':
      return `started turn ${event.turn}${event.attempt > 1 ? `, attempt ${event.attempt}` : ''}${event.warm ? ' (warm process)' : ''}`;
    case 'agent.session':
      return `session ${event.sessionId}${event.model ? ` on ${event.model}` : ''}`;
    case 'agent.tool':
      return `used ${event.tool}`;
    case 'agent.retry':
      return `retry ${event.attempt}${event.status === undefined ? '' : ` after HTTP ${event.status}`} (${event.source})`;
    case 'agent.end':
      return `ended ${event.result.status}${event.result.error ? `: ${event.result.error.message}` : ''}`;
    case 'agent.output':
      return event.excerpt === undefined ? undefined : `said: ${event.excerpt}`;
    default:
      return undefined;
  }
}

// ---- drawing ---------------------------------------------------------------------------------

function render(): void {
  const tabs = el(
    'nav',
    { class: 'tabs' },
    tabButton('Runs', 'runs'),
    tabButton('History', 'history'),
    el('span', { class: 'muted', id: 'notice', 'data-testid': 'notice' }),
  );
  const main = el('main', {});
  replaceChildren(root, el('header', {}, el('h1', {}, 'herd'), tabs), main);
  if (view === 'history') {
    void renderHistory(main);
    return;
  }
  main.append(el('section', { id: 'runs', class: 'runs' }), el('section', { id: 'run', class: 'run' }));
  drawnRuns = '';
  renderRunListIfChanged();
  renderRun();
}

function renderRunListIfChanged(): void {
  const container = document.getElementById('runs');
  const drawFrom = JSON.stringify([runs, selected?.runId]);
  if (!container || drawFrom === drawnRuns) return;
  drawnRuns = drawFrom;
  replaceChildren(container, ...renderRunList());
}

function tabButton(label: string, target: typeof view): HTMLButtonElement {
  const button = el('button', { class: view === target ? 'tab active' : 'tab', 'data-testid': `tab-${target}` }, label);
  button.addEventListener('click', () => {
    view = target;
    render();
  });
  return button;
}

function renderRunList(): HTMLElement[] {
  const rows = runs.map((run) => {
    const row = el(
      'tr',
      { class: selected?.runId === run.runId ? 'selected' : '', 'data-testid': 'run-row', 'data-run-id': run.runId },
      el('td', {}, el('span', { class: `dot ${run.status}` }), run.status),
      el('td', { class: 'mono' }, run.runId, run.name ? el('div', { class: 'muted' }, run.name) : undefined),
      el('td', { class: 'num' }, `${run.succeeded}/${run.agents}`),
      el('td', { class: 'num' }, formatUsd(run.costUsd)),
      el('td', {}, formatLocalTime(run.startedAt)),
    );
    row.addEventListener('click', () => select(run.runId));
    return row;
  });
  return [
    el('h2', {}, `Runs (${runs.length})`),
    el(
      'table',
      { 'data-testid': 'runs' },
      el('thead', {}, el('tr', {}, ...['status', 'run', 'ok', 'cost', 'started'].map((name) => el('th', {}, name)))),
      el('tbody', {}, ...rows),
    ),
  ];
}

function renderRun(): void {
  const section = document.getElementById('run');
  if (!section || !selected) return;
  const current = selected;
  const { run, live } = current;
  if (!run) {
    replaceChildren(section, el('p', { class: 'muted' }, 'loading…'));
    current.actionsKey = undefined;
    return;
  }
  let head = document.getElementById('run-head');
  let actions = document.getElementById('run-actions');
  let agents = document.getElementById('run-agents');
  if (!head || !actions || !agents) {
    head = el('div', { id: 'run-head' });
    actions = el('div', { id: 'run-actions' });
    agents = el('div', { id: 'run-agents' });
    replaceChildren(section, head, actions, agents);
    current.actionsKey = undefined;
  }
  const cost = run.turns.reduce((total, turn) => total + turn.agents.reduce((sum, agent) => sum + agent.costUsd, 0), 0);
  const wall = run.turns.reduce((total, turn) => total + (turn.wallMs ?? turn.totals.wallMs), 0);
  replaceIfChanged(
    head,
    el(
      'div',
      { class: 'run-head' },
      el('h2', { class: 'mono', 'data-testid': 'run-id' }, run.runId),
      el('span', { class: `badge ${run.status}`, 'data-testid': 'run-status' }, run.status),
      run.simulated ? el('span', { class: 'badge' }, 'simulated') : undefined,
    ),
    el(
      'dl',
      { class: 'cards' },
      card('cost', formatUsd(cost), 'run-cost'),
      card('wall', formatDuration(wall)),
      card('agents', String(run.agents.length)),
      card('turns', String(run.turns.length)),
      card('started', formatLocalTime(run.startedAt)),
    ),
  );
  const actionsKey = `${run.runId}|${run.status}|${current.continueTo ?? ''}`;
  if (current.actionsKey !== actionsKey) {
    current.actionsKey = actionsKey;
    replaceChildren(actions, renderActions(current, run));
  }
  replaceIfChanged(agents, renderAgents(current, run, live));
}

/**
 * Put `children` in `container` only when they would show something else: most redraws (a
 * tick, an event that changes nothing visible) then cost no layout or paint in the browser.
 */
function replaceIfChanged(container: HTMLElement, ...children: Node[]): void {
  const next = el('div', {}, ...children);
  if (next.innerHTML === container.innerHTML) return;
  container.replaceChildren(...next.childNodes);
}

function card(label: string, value: string, testId?: string): HTMLElement {
  return el('div', { class: 'card' }, el('dt', {}, label), el('dd', testId ? { 'data-testid': testId } : {}, value));
}

function renderActions(current: Selected, run: RunSummary): HTMLElement {
  const running = run.status === 'running';
  const bar = el('div', { class: 'actions' });
  bar.append(
    el(
      'a',
      { href: `/runs/${encodeURIComponent(run.runId)}/report`, target: '_blank', rel: 'noopener', class: 'button', 'data-testid': 'open-report' },
      'Open report',
    ),
  );
  if (running) bar.append(confirmButton('Cancel run', 'Really cancel this run?', 'cancel', () => act(current, 'cancel', {})));
  if (!running && run.status !== 'succeeded') bar.append(confirmButton('Resume', 'Resume the unfinished agents?', 'resume', () => act(current, 'resume', {})));
  if (!running) bar.append(continueForm(current, run));
  return bar;
}

/** A button that asks once more in the page before it acts (no browser dialogs). */
function confirmButton(label: string, question: string, testId: string, action: () => Promise<void>): HTMLElement {
  const wrapper = el('span', { class: 'confirm' });
  const first = el('button', { 'data-testid': testId }, label);
  first.addEventListener('click', () => {
    const yes = el('button', { class: 'danger', 'data-testid': `${testId}-confirm` }, 'Yes');
    const no = el('button', {}, 'No');
    yes.addEventListener('click', () => void action());
    no.addEventListener('click', () => replaceChildren(wrapper, first));
    replaceChildren(wrapper, el('span', {}, question), yes, no);
  });
  wrapper.append(first);
  return wrapper;
}

/** One follow-up box for the run: to every agent, or to the one chosen in its panel. */
function continueForm(current: Selected, run: RunSummary): HTMLElement {
  const who = current.continueTo ?? 'all';
  const input = el('input', {
    type: 'text',
    placeholder: current.continueTo ? `follow-up for ${current.continueTo}` : 'follow-up for every agent',
    'data-testid': 'continue-prompt',
  });
  const target = el(
    'select',
    { 'data-testid': 'continue-target' },
    el('option', { value: '' }, `all ${run.agents.length} agents`),
    ...run.agents.map((agent) => el('option', { value: agent.id }, agent.id)),
  );
  target.value = current.continueTo ?? '';
  target.addEventListener('change', () => {
    current.continueTo = target.value || undefined;
  });
  const send = confirmButton('Continue', 'Send this follow-up?', 'continue', async () => {
    const agentId = target.value || undefined;
    await act(current, 'continue', { prompt: input.value, ...(agentId ? { agents: [agentId] } : {}) });
  });
  return el('span', { class: 'continue', 'data-who': who }, input, target, send);
}

async function act(current: Selected, action: 'continue' | 'cancel' | 'resume', body: Record<string, unknown>): Promise<void> {
  try {
    await postJson(`/api/runs/${encodeURIComponent(current.runId)}/${action}`, body);
    showNotice(`${action}: sent`);
  } catch (error) {
    showNotice(`${action} failed: ${(error as Error).message}`);
  }
  await refreshRun(current);
}

function showNotice(text: string): void {
  const notice = document.getElementById('notice');
  if (notice) notice.textContent = text;
}

function renderAgents(current: Selected, run: RunSummary, live: LiveSnapshot): HTMLElement {
  const liveById = new Map(live.agents.map((agent) => [agent.id, agent]));
  const rows: HTMLElement[] = [];
  for (const result of run.agents) {
    const agent = liveById.get(result.id);
    const state = agent && !live.ended && (agent.state === 'running' || agent.state === 'queued' || agent.state === 'retrying') ? agent.state : result.status;
    const turns = run.turns.filter((turn) => turn.agents.some((candidate) => candidate.id === result.id)).length;
    const spent = run.turns.reduce(
      (total, turn) => total + turn.agents.filter((candidate) => candidate.id === result.id).reduce((sum, candidate) => sum + candidate.costUsd, 0),
      0,
    );
    const row = el(
      'tr',
      { class: 'agent', 'data-testid': 'agent-row', 'data-agent-id': result.id, 'data-state': state },
      el('td', { class: 'mono' }, result.id),
      el('td', {}, el('span', { class: `dot ${state}` }), state),
      el('td', { class: 'num' }, formatDuration(elapsedMs(agent, result, state))),
      el('td', { class: 'num' }, String(turns)),
      el('td', { class: 'num', 'data-testid': 'agent-cost' }, formatUsd(spent)),
      el('td', { class: 'activity' }, activityWords(agent, result, state)),
    );
    row.addEventListener('click', () => {
      if (current.open.has(result.id)) current.open.delete(result.id);
      else current.open.add(result.id);
      renderRun();
    });
    rows.push(row);
    if (current.open.has(result.id)) rows.push(el('tr', { class: 'panel' }, el('td', { colspan: '6' }, agentPanel(current, run, result))));
  }
  return el(
    'table',
    { class: 'agents', 'data-testid': 'agents' },
    el('thead', {}, el('tr', {}, ...['agent', 'state', 'elapsed', 'turns', 'cost', 'activity'].map((name) => el('th', {}, name)))),
    el('tbody', {}, ...rows),
  );
}

function elapsedMs(agent: LiveAgent | undefined, result: AgentResult, state: string): number {
  if (state === 'running' && agent?.startedTs !== undefined) return Date.now() - agent.startedTs;
  return result.durationMs;
}

function activityWords(agent: LiveAgent | undefined, result: AgentResult, state: string): string {
  if (state === 'queued') return 'waiting for a slot';
  if (state === 'running' || state === 'retrying') {
    if (agent?.excerpt) return `writing: ${agent.excerpt}`;
    if (agent?.activity) return `working (${agent.activity})`;
    return 'starting';
  }
  if (result.error) return result.error.message;
  return (result.result ?? '').split('\n')[0] ?? '';
}

function agentPanel(current: Selected, run: RunSummary, result: AgentResult): HTMLElement {
  const task = run.tasks.find((candidate) => candidate.id === result.id);
  const turns = run.turns.flatMap((turn) => {
    const answer = turn.agents.find((candidate) => candidate.id === result.id);
    if (!answer) return [];
    const prompt = answer.prompt ?? turn.prompt ?? task?.prompt ?? '';
    return [
      el(
        'div',
        { class: 'turn' },
        el('h4', {}, `turn ${turn.turn} · ${answer.status} · ${formatDuration(answer.durationMs)} · ${formatUsd(answer.costUsd)}`),
        el('div', { class: 'label' }, 'prompt'),
        el('pre', { 'data-testid': 'agent-prompt' }, prompt),
        el('div', { class: 'label' }, 'answer'),
        el('pre', { 'data-testid': 'agent-answer' }, answer.result ?? answer.error?.message ?? ''),
        changeSummary(answer),
      ),
    ];
  });
  const activity = current.activity.get(result.id) ?? [];
  return el(
    'div',
    { class: 'agent-panel' },
    el('div', {}, el('span', { class: 'label' }, 'workspace '), el('code', {}, result.workspace)),
    result.sessionId ? el('div', {}, el('span', { class: 'label' }, 'session '), el('code', {}, result.sessionId)) : undefined,
    ...turns,
    el('div', { class: 'label' }, 'what it did'),
    el('pre', { class: 'stream' }, activity.join('\n') || '(nothing recorded yet)'),
    run.status === 'running' ? undefined : continueThisAgent(current, result.id),
  );
}

function continueThisAgent(current: Selected, agentId: string): HTMLElement {
  const button = el('button', { 'data-testid': `continue-${agentId}` }, `Continue ${agentId}…`);
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    current.continueTo = agentId;
    renderRun();
    document.querySelector<HTMLInputElement>('[data-testid=continue-prompt]')?.focus();
  });
  return button;
}

/** A repository run's diffstat and check result, when the record has them. */
function changeSummary(result: AgentResult): HTMLElement | undefined {
  const extra = result as AgentResult & {
    change?: { filesChanged?: number; insertions?: number; deletions?: number };
    check?: { status?: string; exitCode?: number };
  };
  if (!extra.change && !extra.check) return undefined;
  const parts: string[] = [];
  if (extra.change) parts.push(`${extra.change.filesChanged ?? 0} files, +${extra.change.insertions ?? 0} −${extra.change.deletions ?? 0}`);
  if (extra.check) parts.push(`check ${extra.check.status ?? '?'}${extra.check.exitCode === undefined ? '' : ` (exit ${extra.check.exitCode})`}`);
  return el('div', { class: 'change' }, parts.join(' · '));
}

async function renderHistory(main: HTMLElement): Promise<void> {
  replaceChildren(main, el('p', { class: 'muted' }, 'loading…'));
  let history: History;
  try {
    history = await getJson<History>('/api/history');
  } catch (error) {
    replaceChildren(main, el('p', {}, `cannot load history: ${(error as Error).message}`));
    return;
  }
  const days = history.days;
  replaceChildren(
    main,
    el(
      'section',
      { class: 'history', 'data-testid': 'history' },
      el(
        'dl',
        { class: 'cards' },
        card('runs', String(history.runs)),
        card('agent turns', String(history.agents)),
        card('cost', formatUsd(history.costUsd), 'history-cost'),
        card('success', formatPercent(history.successRate)),
      ),
      el(
        'div',
        { class: 'charts' },
        el(
          'figure',
          {},
          drawBars(
            'Cost per day',
            days.map((day) => ({ label: day.day, value: day.costUsd })),
            formatUsd,
          ),
          el('figcaption', {}, 'cost per day'),
        ),
        el(
          'figure',
          {},
          drawBars(
            'Agents per day',
            days.map((day) => ({ label: day.day, value: day.agents })),
            String,
          ),
          el('figcaption', {}, 'agent turns per day'),
        ),
        el(
          'figure',
          {},
          drawBars(
            'Success rate per day',
            days.map((day) => ({ label: day.day, value: day.successRate })),
            formatPercent,
            1,
          ),
          el('figcaption', {}, 'success rate per day'),
        ),
      ),
      el('h3', {}, 'By agent type and model'),
      el(
        'table',
        {},
        el('thead', {}, el('tr', {}, ...['agent', 'model', 'turns', 'cost', 'success', 'median time', 'median model wait'].map((name) => el('th', {}, name)))),
        el(
          'tbody',
          {},
          ...history.groups.map((group) =>
            el(
              'tr',
              {},
              el('td', {}, group.agentType),
              el('td', {}, group.model),
              el('td', { class: 'num' }, String(group.agents)),
              el('td', { class: 'num' }, formatUsd(group.costUsd)),
              el('td', { class: 'num' }, formatPercent(group.successRate)),
              el('td', { class: 'num' }, formatDuration(group.medianAgentMs)),
              el('td', { class: 'num' }, group.medianApiMs === undefined ? '–' : formatDuration(group.medianApiMs)),
            ),
          ),
        ),
      ),
      el('h3', {}, 'Costliest runs'),
      el(
        'table',
        {},
        el(
          'tbody',
          {},
          ...history.costliest.map((run) =>
            el(
              'tr',
              {},
              el('td', { class: 'mono' }, run.runId),
              el('td', {}, run.status),
              el('td', { class: 'num' }, formatUsd(run.costUsd)),
              el('td', {}, formatLocalTime(run.startedAt)),
            ),
          ),
        ),
      ),
    ),
  );
}

start();
