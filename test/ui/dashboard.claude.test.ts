// herd ui in a real browser: the built CLI serves the page, real herd processes make runs in
// other processes (5 real claude agents on the stand-in API, command agents for the rest), and
// the page is checked as a person would see it: runs appear, agents move, costs add up, a page
// opened mid-run catches up, continue and cancel act on real runs, hostile text stays text.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../chromium.js';
import { formatUsd } from '../../src/report/format.js';
import type { RunSummary } from '../../src/types.js';
import { cliMain, makeTempDir, repoRoot, runCli, waitFor } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
let ui: ChildProcess;
let url: string;
let origin: string;
let browser: Browser;
const pageErrors: string[] = [];
const dialogs: string[] = [];

async function startUi(workspaceRoot: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [cliMain, 'ui', '--port', '0', '--workspace-root', workspaceRoot], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const printed = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.on('exit', (code) => reject(new Error(`herd ui exited with ${code}`)));
  });
  return { child, url: printed };
}

async function openPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(url);
  return page;
}

const readRecord = async (runId: string) => JSON.parse(await readFile(path.join(root.path, runId, 'run.json'), 'utf8')) as RunSummary;
const runIds = async (page: Page) => page.locator('[data-testid=run-row]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id')));

/** Starts herd in another process; resolves with its run id once the run exists on disk. */
function startHerd(args: string[]): { done: Promise<{ code: number | null }>; child: () => ChildProcess | undefined } {
  let child: ChildProcess | undefined;
  const done = runCli([...args, '--workspace-root', root.path], { onSpawn: (spawned) => (child = spawned) });
  return { done, child: () => child };
}

beforeAll(async () => {
  root = await makeTempDir('herd-ui-test-');
  ({ child: ui, url } = await startUi(root.path));
  origin = new URL(url).origin;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  ui?.kill('SIGINT');
  await root.cleanup();
});

describe('herd ui', () => {
  it('refuses every request without the token', async () => {
    for (const route of ['/', '/api/runs', '/app.js', '/api/history']) {
      const response = await fetch(`${origin}${route}`);
      expect(response.status, route).toBe(401);
    }
    const wrong = await fetch(`${origin}/api/runs`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  it('shows a 5-agent simulated run live, catches up a page opened mid-run, and its costs add up to run.json', async () => {
    const page = await openPage();
    const herd = startHerd(['spawn', '-n', '5', 'Write a haiku about rivers', '--simulate', '--simulate-latency', '3s']);
    // The run appears in the list and is selected; its agents are shown running.
    await page.locator('[data-testid=run-row]').first().waitFor({ timeout: 30_000 });
    const [runId] = await runIds(page);
    expect(runId).toBeTruthy();
    await page.locator('[data-testid=run-row]').first().click();
    await page.locator('[data-testid=agent-row][data-state=running]').first().waitFor({ timeout: 30_000 });

    // A second page opened now, mid-run, catches up from the log.
    const late = await openPage();
    await late.locator(`[data-testid=run-row][data-run-id="${runId}"]`).click();
    await expect.poll(() => late.locator('[data-testid=agent-row]').count(), { timeout: 15_000 }).toBe(5);
    await expect.poll(async () => (await readRecord(runId)).status, { timeout: 10_000 }).toBe('running');

    expect((await herd.done).code).toBe(0);
    for (const view of [page, late]) {
      await expect.poll(() => view.locator('[data-testid=agent-row][data-state=succeeded]').count(), { timeout: 15_000 }).toBe(5);
      await expect.poll(() => view.locator('[data-testid=run-status]').textContent(), { timeout: 10_000 }).toBe('succeeded');
    }
    const record = await readRecord(runId);
    const shownCost = await page.locator('[data-testid=run-cost]').textContent();
    expect(shownCost).toBe(formatUsd(record.totals.costUsd));
    const agentCosts = await page.locator('[data-testid=agent-cost]').allTextContents();
    const sum = agentCosts.reduce((total, text) => total + Number(text.replace('$', '')), 0);
    // Each agent's cost is shown to a tenth of a cent, so their sum may differ from the total by rounding.
    expect(Math.abs(sum - record.totals.costUsd)).toBeLessThan(0.0005 * agentCosts.length + 1e-9);
    expect(agentCosts).toHaveLength(5);
    // The list follows too (within a second); then a picture for the README, one agent opened.
    await expect.poll(() => page.locator(`[data-testid=run-row][data-run-id="${runId}"]`).textContent(), { timeout: 10_000 }).toContain('succeeded');
    await page.locator('[data-testid=agent-row][data-agent-id=agent-1]').click();
    await page.locator('[data-testid=agent-answer]').first().waitFor();
    await page.screenshot({ path: path.join(repoRoot, 'docs', 'dashboard-screenshot.png') });
    await page.locator('[data-testid=agent-row][data-agent-id=agent-1]').click();
    await late.close();

    // Continue one agent from the page: a new turn for it appears in run.json.
    await page.locator('[data-testid=agent-row][data-agent-id=agent-2]').click();
    await page.locator('[data-testid=continue-agent-2]').click();
    await page.locator('[data-testid=continue-prompt]').fill('Now one about the sea');
    expect(await page.locator('[data-testid=continue-target]').inputValue()).toBe('agent-2');
    await page.locator('[data-testid=continue]').click();
    await page.locator('[data-testid=continue-confirm]').click();
    await expect.poll(async () => (await readRecord(runId)).turns.length, { timeout: 60_000 }).toBe(2);
    await expect.poll(async () => (await readRecord(runId)).status, { timeout: 60_000 }).toBe('succeeded');
    const continued = await readRecord(runId);
    expect(continued.turns[1]!.prompt).toBe('Now one about the sea');
    expect(continued.turns[1]!.agents.map((agent) => agent.id)).toEqual(['agent-2']);
    await page.close();
  });

  it('cancels a running run from the page: the owning herd records cancelled and the run stays resumable', async () => {
    const page = await openPage();
    const sleeper = path.join(root.path, 'sleeper.cjs');
    await writeFile(sleeper, 'setTimeout(() => {}, 120000);\n');
    const herd = startHerd(['spawn', '-n', '2', 'wait', '--command', process.execPath, sleeper]);
    await waitFor(async () => (await runIds(page)).length >= 2, 20_000, 'the new run in the list');
    const runId = (await runIds(page))[0]!;
    await page.locator(`[data-testid=run-row][data-run-id="${runId}"]`).click();
    await page.locator('[data-testid=agent-row][data-state=running]').first().waitFor({ timeout: 20_000 });
    await page.locator('[data-testid=cancel]').click();
    await page.locator('[data-testid=cancel-confirm]').click();
    const { code } = await herd.done;
    expect(code).toBe(130);
    const record = await readRecord(runId);
    expect(record.status).toBe('cancelled');
    expect(record.agents.every((agent) => agent.status === 'cancelled')).toBe(true);
    await expect.poll(() => page.locator('[data-testid=run-status]').textContent(), { timeout: 10_000 }).toBe('cancelled');
    await expect(page.locator('[data-testid=resume]').count()).resolves.toBe(1);
    await page.close();
  });

  it('shows a hostile prompt and answer as text: no script runs, no dialog opens', async () => {
    const hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> hello';
    const echo = path.join(root.path, 'echo.cjs');
    await writeFile(echo, 'console.log(process.argv.at(-1));\n');
    const herd = startHerd(['spawn', hostile, '--command', process.execPath, echo]);
    expect((await herd.done).code).toBe(0);
    const page = await openPage();
    const runId = (await runIds(page))[0]!;
    await page.locator(`[data-testid=run-row][data-run-id="${runId}"]`).click();
    await page.locator('[data-testid=agent-row]').first().click();
    await expect.poll(() => page.locator('[data-testid=agent-prompt]').first().textContent(), { timeout: 10_000 }).toBe(hostile);
    expect(await page.locator('[data-testid=agent-answer]').first().textContent()).toContain('<script>alert(2)</script>');
    expect(await page.locator('img[src=x]').count()).toBe(0);
    // History over everything so far renders (charts included).
    await page.locator('[data-testid=tab-history]').click();
    await page.locator('[data-testid=history] svg.chart').first().waitFor();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });
});
