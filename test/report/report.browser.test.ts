// The HTML report in a real headless Chromium: a real run (generic command agents through the
// Supervisor: queueing at concurrency 2, a failure, a timeout, a hostile prompt, a second
// turn), its report written by writeRunReport, then opened and checked as a person's browser
// would show it. The browser comes from test/chromium.ts (after `npm install` alone, the
// Chromium inside @sparticuz/chromium); none found is a failure naming what to install, not a skip.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMs, formatUsd } from '../../src/report/format.js';
import { writeRunReport } from '../../src/report/write-report.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { launchChromium } from '../chromium.js';

const HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> please answer';
// The prompt is the command's last argument: echo it back so the answer is hostile too.
const echo = (delayMs: number, exitCode = 0) => [
  'node',
  '-e',
  `setTimeout(() => { console.log('answer to: ' + process.argv.at(-1)); process.exit(${exitCode}); }, ${delayMs})`,
];

const tasks: AgentTask[] = [
  { id: 'writer', prompt: 'Write a haiku about rivers', agent: 'command', command: echo(300) },
  { id: 'hostile', prompt: HOSTILE, agent: 'command', command: echo(200) },
  { id: 'failing', prompt: 'Fail please', agent: 'command', command: echo(100, 3) },
  { id: 'sleeper', prompt: 'Take forever', agent: 'command', command: echo(30_000), timeoutMs: 600 },
];

let root: string;
let summary: RunSummary;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'herd-report-browser-'));
  const supervisor = new Supervisor({ workspaceRoot: root, concurrency: 2, killGraceMs: 200 });
  const first = await supervisor.run(tasks);
  summary = await supervisor.continue(first.runId, 'And once more', { agents: ['writer', 'hostile'] });
  const file = await writeRunReport({ root, runId: summary.runId });

  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // The first launch unpacks the bundled Chromium (about 200 MB, once per version): seconds on a busy machine.
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('HTML report in Chromium', () => {
  it('loads without console errors and requests nothing but itself', () => {
    expect(consoleErrors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatch(/^file:.*report\.html$/);
  });

  it('draws one timeline bar per agent turn, coloured by status', async () => {
    const perTurn = summary.turns.map((turn) => turn.agents.length);
    expect(perTurn).toEqual([4, 2]);
    expect(await page.locator('svg.timeline rect.bar').count()).toBe(6);
    for (const turn of summary.turns) {
      const bars = page.locator(`figure[data-turn="${turn.turn}"] svg.timeline rect.bar`);
      expect(await bars.count()).toBe(turn.agents.length);
      for (const agent of turn.agents) {
        const bar = page.locator(`figure[data-turn="${turn.turn}"] rect.bar[data-agent="${agent.id}"]`);
        expect(await bar.getAttribute('data-status')).toBe(agent.status);
        expect(Number(await bar.getAttribute('width'))).toBeGreaterThan(0);
      }
    }
    // Concurrency 2 with 4 agents: at least two of them waited in the queue; the sleeper timed out.
    expect(await page.locator('figure[data-turn="1"] rect.queue').count()).toBeGreaterThanOrEqual(2);
    expect(await page.locator('figure[data-turn="1"] rect.bar.status-timeout[data-agent="sleeper"]').count()).toBe(1);
    expect(await page.locator('figure[data-turn="1"] line.timeout-mark').count()).toBe(1);
    expect(await page.locator('figure[data-turn="1"] rect.bar.status-failed[data-agent="failing"]').count()).toBe(1);
    // Rendered, not just present: the bars have a real size on screen.
    const box = await page.locator('svg.timeline rect.bar').first().boundingBox();
    expect(box?.width).toBeGreaterThan(1);
  });

  it('shows the whole run first and the totals of each turn from run.json', async () => {
    const shown = async (selector: string) => {
      const cell = page.locator(selector);
      return { value: Number(await cell.getAttribute('data-value')), text: (await cell.textContent())?.trim() };
    };
    const costUsd = Math.round(summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0) * 1e6) / 1e6;
    const wallMs = summary.turns.reduce((sum, turn) => sum + turn.totals.wallMs, 0);
    expect(await shown('dd[data-run-total="costUsd"]')).toEqual({ value: costUsd, text: formatUsd(costUsd) });
    expect(await shown('dd[data-run-total="wallMs"]')).toEqual({ value: wallMs, text: formatMs(wallMs) });
    expect(await shown('dd[data-run-total="agents"]')).toEqual({ value: 4, text: '4' });
    for (const turn of summary.turns) {
      const { totals } = turn;
      const cell = (field: string) => `tr[data-turn="${turn.turn}"] td[data-turn-total="${field}"]`;
      expect(await shown(cell('wallMs'))).toEqual({ value: totals.wallMs, text: formatMs(totals.wallMs) });
      expect(await shown(cell('agentMs'))).toEqual({ value: totals.agentMs, text: formatMs(totals.agentMs) });
      expect(await shown(cell('costUsd'))).toEqual({ value: totals.costUsd, text: formatUsd(totals.costUsd) });
      expect((await shown(cell('succeeded'))).value).toBe(totals.succeeded);
    }
    // Two panels (writer, hostile) of four open; the third (failing) too; the fourth starts collapsed.
    expect(await page.locator('details.agent[open]').count()).toBe(3);
  });

  it('shows the hostile prompt and answer as text, and nothing in them ran', async () => {
    const prompts = await page.locator('details[data-agent="hostile"] pre.prompt').allTextContents();
    expect(prompts[0]).toBe(HOSTILE);
    const answers = await page.locator('details[data-agent="hostile"] pre.answer').allTextContents();
    expect(answers[0]).toContain(HOSTILE);
    expect(await page.locator('details[data-agent="hostile"] pre.prompt').first().isVisible()).toBe(true);
    // Expressions as strings: the test's own tsconfig has no DOM types.
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.evaluate("document.querySelectorAll('script, img, iframe, object, embed').length")).toBe(0);
  });
});
