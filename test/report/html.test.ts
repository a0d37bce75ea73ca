import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { layoutGraph, renderDependencyGraphSvg } from '../../src/report/dependency-graph-svg.js';
import { formatMs, formatUsd } from '../../src/report/format.js';
import { escapeHtml } from '../../src/report/html-escape.js';
import { graphNodesOf, renderHtmlReport, REPORT_CSP } from '../../src/report/html.js';
import { buildTimeline } from '../../src/report/timeline.js';
import { chooseTickStepMs, renderTimelineSvg } from '../../src/report/timeline-svg.js';
import type { RunSummary } from '../../src/types.js';

/** A real record: 5 simulated agents at concurrency 3 (a tool call, an API retry, a 12 s timeout), then a continue at concurrency 2. */
const fixture = new URL('./fixtures/run-two-turns/', import.meta.url);
const loadSummary = (): RunSummary => JSON.parse(readFileSync(new URL('run.json', fixture), 'utf8')) as RunSummary;
const loadEvents = (): HerdEvent[] =>
  readFileSync(new URL('events.jsonl', fixture), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HerdEvent);

describe('timeline', () => {
  it('has one bar per agent per turn, with queueing, retries and timeouts from events.jsonl', () => {
    const turns = buildTimeline(loadSummary(), loadEvents());
    expect(turns.map((turn) => turn.bars.map((bar) => bar.agentId))).toEqual([
      ['poet', 'builder', 'flaky', 'sleeper', 'chef'],
      ['poet', 'builder', 'flaky', 'sleeper', 'chef'],
    ]);
    const [first] = turns;
    const bar = (id: string) => first!.bars.find((candidate) => candidate.agentId === id)!;
    // Concurrency 3: sleeper and chef waited for a free slot.
    expect(bar('poet').startAtMs - bar('poet').queuedAtMs).toBeLessThan(100);
    expect(bar('sleeper').startAtMs - bar('sleeper').queuedAtMs).toBeGreaterThan(3000);
    expect(bar('chef').startAtMs).toBeGreaterThan(bar('sleeper').startAtMs);
    expect(bar('flaky').retries).toEqual([expect.objectContaining({ attempt: 1, status: 529, source: 'agent' })]);
    expect(bar('sleeper')).toMatchObject({ status: 'timeout', timedOut: true });
    expect(bar('sleeper').endAtMs - bar('sleeper').startAtMs).toBeGreaterThan(12_000);
    expect(first!.spanMs).toBeGreaterThanOrEqual(loadSummary().turns[0]!.totals.wallMs);
  });

  it('falls back to run.json times when there is no events.jsonl', () => {
    const summary = loadSummary();
    const turns = buildTimeline(summary, []);
    const poet = turns[0]!.bars[0]!;
    const result = summary.turns[0]!.agents.find((agent) => agent.id === 'poet')!;
    expect(poet.startAtMs).toBe(Date.parse(result.startedAt) - Date.parse(summary.turns[0]!.startedAt));
    expect(poet.endAtMs - poet.startAtMs).toBe(Date.parse(result.endedAt) - Date.parse(result.startedAt));
    expect(poet.retries).toEqual([]);
  });

  it('draws an agent that started but never ended (a killed run) as running', () => {
    const summary = loadSummary();
    summary.turns = [{ ...summary.turns[0]!, agents: [] }];
    const events = loadEvents().filter((event) => event.type !== 'agent.end' && event.type !== 'run.end' && ('turn' in event ? event.turn === 1 : true));
    const bars = buildTimeline(summary, events)[0]!.bars;
    expect(bars).toHaveLength(5);
    expect(bars.find((bar) => bar.agentId === 'poet')!.status).toBe('running');
  });

  it('renders one status-coloured bar per agent, a queue bar where it waited, retry and timeout marks', () => {
    const svg = renderTimelineSvg(buildTimeline(loadSummary(), loadEvents())[0]!);
    expect(svg.match(/<rect class="bar /g)).toHaveLength(5);
    expect(svg.match(/<rect class="bar status-timeout" data-agent="sleeper"/g)).toHaveLength(1);
    expect(svg.match(/<rect class="queue"/g)?.length).toBeGreaterThanOrEqual(2);
    expect(svg.match(/<path class="retry"/g)).toHaveLength(1);
    expect(svg.match(/<line class="timeout-mark"/g)).toHaveLength(1);
  });

  it('picks 1-2-5 tick steps', () => {
    expect(chooseTickStepMs(16_000)).toBe(2000);
    expect(chooseTickStepMs(10_800)).toBe(2000);
    expect(chooseTickStepMs(900)).toBe(200);
    expect(chooseTickStepMs(3_600_000)).toBe(500_000);
    expect(chooseTickStepMs(0)).toBe(1);
  });
});

describe('HTML report', () => {
  it('is one self-contained page: CSP first, no script, no external reference', () => {
    const html = renderHtmlReport({ summary: loadSummary(), events: loadEvents() });
    expect(html.indexOf('<meta http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<title>'));
    expect(html).toContain(`content="${REPORT_CSP}"`);
    expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=/i);
    expect(html).not.toMatch(/url\((?!#)/);
  });

  it("names each agent type's CLI version in the header (one for an older record)", () => {
    const summary = { ...loadSummary(), agentVersion: '2.1.197', agentVersions: { claude: '2.1.197', codex: '0.171.0' } };
    expect(renderHtmlReport({ summary, events: [] })).toContain('claude 2.1.197, codex 0.171.0');
    const { agentVersions: _none, ...older } = summary;
    expect(renderHtmlReport({ summary: older, events: [] })).toContain('agent CLI 2.1.197');
  });

  it('escapes prompts and answers: the chef prompt with <script> is text', () => {
    const html = renderHtmlReport({ summary: loadSummary(), events: loadEvents() });
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt; Give me a recipe');
    expect(escapeHtml(`<img src=x onerror="a()">&'`)).toBe('&lt;img src=x onerror=&quot;a()&quot;&gt;&amp;&#39;');
  });

  it('shows spending against the cap and the agents the cap stopped', () => {
    const summary = loadSummary();
    summary.budget = { maxCostUsd: 0.2 };
    const stopped = summary.turns[1]!.agents.find((agent) => agent.id === 'chef')!;
    stopped.status = 'budget';
    summary.agents = summary.agents.map((agent) => (agent.id === 'chef' ? stopped : agent));
    const html = renderHtmlReport({ summary, events: loadEvents() });
    // The page shows the whole run's cost rounded to a millionth of a dollar (float dust off).
    const spent = Math.round(summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0) * 1e6) / 1e6;
    expect(html).toContain(
      `Spending cap: <span data-budget="spentUsd" data-value="${spent}">${formatUsd(spent)}</span> spent of <span data-budget="maxCostUsd" data-value="0.2">$0.200</span>`,
    );
    expect(html).toContain(`1 agent was stopped or not started at the cap (finish them with herd resume ${summary.runId} --max-cost &lt;more&gt;)`);
    expect(html).toContain('<span class="badge status-budget">budget</span>');
    expect(html).toMatch(/\.status-budget \{ fill: var\(--cap\)/);
    expect(renderHtmlReport({ summary: loadSummary(), events: loadEvents() })).not.toContain('Spending cap');
  });

  it('puts the whole run first: cost, wall and agents over every turn, not the latest turn alone', () => {
    const summary = loadSummary();
    const html = renderHtmlReport({ summary, events: loadEvents() });
    const runCost = summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0);
    const runWall = summary.turns.reduce((sum, turn) => sum + turn.totals.wallMs, 0);
    expect(runCost).toBeGreaterThan(summary.totals.costUsd);
    expect(html).toContain(`data-run-total="costUsd" data-value="${Math.round(runCost * 1e6) / 1e6}">${formatUsd(runCost)}<`);
    expect(html).toContain(`data-run-total="wallMs" data-value="${runWall}">${formatMs(runWall)}<`);
    expect(html).toContain('data-run-total="agents" data-value="5">5<');
    expect(html).toContain('data-run-total="turns" data-value="2">2<');
    // The overview comes before the timeline, and nothing calls itself the latest turn's totals.
    expect(html.indexOf('<h2>Whole run</h2>')).toBeLessThan(html.indexOf('<h2>Timeline</h2>'));
    expect(html).not.toMatch(/latest turn \(turn/);
    expect(html.match(/<rect class="bar /g)).toHaveLength(10);
  });

  it('gives every turn its own row with raw values beside the text', () => {
    const summary = loadSummary();
    const html = renderHtmlReport({ summary, events: loadEvents() });
    for (const turn of summary.turns) {
      const row = new RegExp(`<tr data-turn="${turn.turn}">.*?</tr>`).exec(html)![0];
      const { totals } = turn;
      expect(row).toContain(`data-turn-total="wallMs" data-value="${totals.wallMs}">${formatMs(totals.wallMs)}<`);
      expect(row).toContain(`data-turn-total="agentMs" data-value="${totals.agentMs}"`);
      expect(row).toContain(`data-turn-total="speedup" data-value="${totals.speedup}" title="sum of agent time / wall">${totals.speedup.toFixed(2)}x<`);
      expect(row).toContain(`data-turn-total="efficiency" data-value="${totals.efficiency}"`);
      expect(row).toContain(`>${Math.round(totals.efficiency * 100)}% at concurrency ${totals.concurrency}<`);
      expect(row).toContain(`data-turn-total="costUsd" data-value="${totals.costUsd}">${formatUsd(totals.costUsd)}<`);
    }
  });

  it('says "interrupted" rather than a speedup for a turn cut short, and judges a workflow by its critical path', () => {
    const summary = loadSummary();
    summary.turns[1]!.agents[0]!.status = 'cancelled';
    summary.workflow = { vars: {}, tasks: [], stages: [], judgements: [], criticalPath: { agents: ['poet', 'sleeper'], ms: 15_000 } };
    const html = renderHtmlReport({ summary, events: loadEvents() });
    const row = (turn: number) => new RegExp(`<tr data-turn="${turn}">.*?</tr>`).exec(html)![0];
    expect(row(2)).toMatch(/data-turn-total="speedup"[^>]*>–</);
    expect(row(2)).toMatch(/data-turn-total="efficiency"[^>]*>interrupted</);
    expect(row(1)).toMatch(/data-turn-total="efficiency"[^>]*>wall 106% of the critical path</);
  });

  it('draws every turn on one time scale', () => {
    const summary = loadSummary();
    const turns = buildTimeline(summary, loadEvents());
    const longest = Math.max(...turns.map((turn) => turn.spanMs));
    expect(turns[1]!.spanMs).toBeLessThan(longest);
    const html = renderHtmlReport({ summary, events: loadEvents() });
    expect(html.match(/data-scale-ms="(\d+)"/g)).toEqual([`data-scale-ms="${longest}"`, `data-scale-ms="${longest}"`]);
    // So turn 2's shorter bars are drawn shorter than turn 1's, not stretched to the full width.
    expect(renderTimelineSvg(turns[1]!, longest)).not.toEqual(renderTimelineSvg(turns[1]!));
  });

  it('colours failed, a deadline (timeout) and the deadline mark apart', () => {
    const html = renderHtmlReport({ summary: loadSummary(), events: loadEvents() });
    const colour = (selector: string) => new RegExp(`${selector.replace(/[.]/g, '\\.')} \\{ [a-z]+: ([^;]+);`).exec(html)?.[1];
    const vars = Object.fromEntries([...html.matchAll(/--([a-z]+): (#[0-9a-f]{6})/g)].map((match) => [match[1], match[2]]));
    const failed = vars.bad;
    const timeout = vars.late;
    expect(colour('.status-failed')).toBe('var(--bad)');
    expect(colour('.status-timeout')).toBe('var(--late)');
    expect(colour('.timeout-mark')).toBe('var(--ink)');
    expect(new Set([failed, timeout, vars.ink, '#fab005' /* retry */]).size).toBe(4);
    // The legend names only what the charts show: no "running" or "skipped" in a finished run without skips.
    expect(html).toContain('stopped by a deadline (timeout or idle)');
    expect(/<p class="legend">.*?<\/p>/.exec(html)![0]).not.toMatch(/status-(running|skipped|cancelled)/);
  });

  it('opens the first few agent panels and collapses the rest', () => {
    const html = renderHtmlReport({ summary: loadSummary(), events: loadEvents() });
    const panels = [...html.matchAll(/<details class="agent" id="agent-([^"]+)" data-agent="[^"]+"( open)?>/g)].map((match) => [
      match[1],
      match[2] === ' open',
    ]);
    expect(panels).toEqual([
      ['poet', true],
      ['builder', true],
      ['flaky', true],
      ['sleeper', false],
      ['chef', false],
    ]);
  });

  it('shows times as local times with their zone, keeping the exact moment in a <time> element', () => {
    const summary = loadSummary();
    const html = renderHtmlReport({ summary, events: loadEvents(), timeZone: 'Europe/Berlin', generatedAt: new Date('2026-11-25T19:00:00Z') });
    expect(html).toContain(`started <time datetime="${summary.startedAt}">25 Nov 2026, 19:54:44 CET</time>`);
    // Same day: the end needs only its time.
    expect(html).toContain(`ended <time datetime="${summary.endedAt}">19:55:15</time>`);
    expect(html).toContain('Written by herd on <time datetime="2026-11-25T19:00:00.000Z">25 Nov 2026, 20:00:00 CET</time>');
    expect(html).not.toMatch(/>\d{4}-\d\d-\d\dT/);
  });

  it('draws the dependency graph of a workflow run', () => {
    const summary = loadSummary();
    summary.tasks = [
      { id: 'plan', prompt: 'p' },
      { id: 'left', prompt: 'l', dependsOn: ['plan'] },
      { id: 'right', prompt: 'r', dependsOn: ['plan'] },
      { id: 'merge', prompt: 'm', dependsOn: ['left', 'right', 'missing'] },
    ];
    const html = renderHtmlReport({ summary, events: loadEvents() });
    expect(html).toContain('<section id="graph">');
    expect(html.match(/<line class="edge"/g)).toHaveLength(4);
    expect(renderHtmlReport({ summary: loadSummary(), events: [] })).not.toContain('<section id="graph">');
  });
});

describe('workflow graph', () => {
  it('draws a workflow by its tasks, an each/compete task as one box with a status for its agents', () => {
    const summary = loadSummary();
    // The fixture's agents as a workflow: poet first, then builder+flaky compete, then a judge.
    summary.workflow = {
      vars: {},
      tasks: [
        { id: 'poet', kind: 'task', agents: ['poet'], dependsOn: [], stage: 1, priority: 0, optional: false },
        { id: 'race', kind: 'compete', agents: ['builder', 'sleeper'], dependsOn: ['poet'], stage: 2, priority: 0, optional: false },
        { id: 'pick', kind: 'judge', agents: ['chef'], dependsOn: ['race'], stage: 3, priority: 0, optional: false, judges: 'race' },
      ],
      stages: [],
      criticalPath: { agents: ['poet', 'builder', 'chef'], ms: 12_000 },
      judgements: [{ judge: 'pick', of: 'race', candidates: ['builder', 'sleeper'], winner: 'builder', reason: '<i>better</i>' }],
    };
    summary.agents.find((agent) => agent.id === 'sleeper')!.status = 'timeout';
    const nodes = graphNodesOf(summary);
    expect(nodes.map((node) => [node.id, node.status])).toEqual([
      ['poet', 'succeeded'],
      ['race', 'succeeded'],
      ['pick', 'succeeded'],
    ]);
    expect(nodes[1]!.label).toBe('race (compete ×2)');
    const html = renderHtmlReport({ summary, events: loadEvents() });
    expect(html.match(/<line class="edge"/g)).toHaveLength(2);
    expect(html).toContain('Critical path: poet → builder → chef (12.0s)');
    expect(html).toContain('winner <b>builder</b> (&lt;i&gt;better&lt;/i&gt;)');
  });
});

describe('dependency graph layout', () => {
  it('puts each task one column right of its deepest dependency', () => {
    const { depth, row } = layoutGraph([
      { id: 'a' },
      { id: 'b', dependsOn: ['a'] },
      { id: 'c', dependsOn: ['a'] },
      { id: 'd', dependsOn: ['b', 'c'] },
      { id: 'e', dependsOn: ['a', 'd'] },
    ]);
    expect(Object.fromEntries(depth)).toEqual({ a: 0, b: 1, c: 1, d: 2, e: 3 });
    expect(row.get('c')).toBe(1);
  });

  it('survives a cycle and escapes ids', () => {
    const svg = renderDependencyGraphSvg([
      { id: 'x', dependsOn: ['y'], status: 'failed' },
      { id: 'y', dependsOn: ['x'], label: '<b>y</b>' },
    ]);
    expect(svg).toContain('&lt;b&gt;y&lt;/b&gt;');
    expect(svg.match(/<g class="node"/g)).toHaveLength(2);
    expect(escapeHtml('<x>')).toBe('&lt;x&gt;');
  });
});
