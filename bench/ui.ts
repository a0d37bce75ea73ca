// What `herd ui` costs: the server's CPU per 1,000 events streamed to watching pages, and its
// share of a real 20-agent simulated run it watches (server CPU and the browser page's own
// main-thread time, against the run's CPU: herd plus its claude processes). Side by side in one
// run on this machine, no timed assertions.
//
//   npx tsx bench/ui.ts [--events 10000] [--agents 20]

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { computeTotals } from '../src/report/totals.js';
import { launchChromium } from '../test/chromium.js';
import { ensureBuilt, fixed, flagValue, herdMain, machineLine, printTable, repoRoot, withTempDir } from './lib.js';

const TICKS_PER_SECOND = 100;

async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU of the renderer processes of the Chromium this bench started (its pages' work: scripts,
 * style, layout, paint): descendants of this process only, so other browsers on a shared
 * machine do not count.
 */
async function rendererCpuMs(): Promise<number> {
  const parents = new Map<number, number>();
  const commands = new Map<number, string>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (!stat) continue;
    parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    commands.set(Number(name), await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''));
  }
  const isMine = (pid: number): boolean => {
    for (let current = parents.get(pid); current !== undefined && current > 1; current = parents.get(current)) if (current === process.pid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, command] of commands) if (command.includes('--type=renderer') && isMine(pid)) total += await cpuMsOf(pid).catch(() => 0);
  return total;
}

async function startUi(root: string): Promise<{ child: ChildProcess; url: URL; token: string }> {
  const child = spawn(process.execPath, [herdMain, 'ui', '--port', '0', '--workspace-root', root], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
  const printed = await new Promise<string>((resolve) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  const url = new URL(printed);
  return { child, url, token: url.searchParams.get('token')! };
}

/** An SSE client that counts the data lines it gets; resolves `reached(n)` when it has n. */
function watchEvents(url: URL, token: string, runId: string) {
  let count = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const req = request({ host: url.hostname, port: url.port, path: `/api/runs/${runId}/events`, headers: { authorization: `Bearer ${token}` } }, (response) => {
    response.on('data', (chunk: Buffer) => {
      count += chunk.toString().split('\ndata: ').length - 1 + (chunk.toString().startsWith('data: ') ? 1 : 0);
      for (const waiter of waiters.filter((candidate) => count >= candidate.n)) waiter.resolve();
    });
  });
  req.on('error', () => undefined);
  req.end();
  return { reached: (n: number) => new Promise<void>((resolve) => (count >= n ? resolve() : waiters.push({ n, resolve }))), close: () => req.destroy() };
}

async function syntheticEvents(root: string, events: number, clients: number): Promise<{ cpuMs: number; wallMs: number }> {
  const runId = '20261201-000000-bench';
  const home = path.join(root, runId);
  await mkdir(home, { recursive: true });
  // A whole record: the server checks run.json before it streams a run's events.
  const now = new Date().toISOString();
  const record = {
    runId,
    status: 'running',
    startedAt: now,
    endedAt: now,
    simulated: true,
    agents: [],
    totals: computeTotals([], 0, 1),
    turns: [],
    tasks: [],
    workspaceRoot: root,
  };
  await writeFile(path.join(home, 'run.json'), JSON.stringify(record));
  await writeFile(path.join(home, 'events.jsonl'), '');
  const ui = await startUi(root);
  const watchers = Array.from({ length: clients }, () => watchEvents(ui.url, ui.token, runId));
  await new Promise((resolve) => setTimeout(resolve, 300));
  const before = await cpuMsOf(ui.child.pid!);
  const started = performance.now();
  const line = (n: number) =>
    `${JSON.stringify({ type: 'agent.tool', runId, agentId: `agent-${n % 20}`, ts: Date.now(), tool: 'Write', detail: 'x'.repeat(120) })}\n`;
  for (let sent = 0; sent < events; sent += 100) {
    await appendFile(path.join(home, 'events.jsonl'), Array.from({ length: 100 }, (_, index) => line(sent + index)).join(''));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await Promise.all(watchers.map((watcher) => watcher.reached(events)));
  const cpuMs = (await cpuMsOf(ui.child.pid!)) - before;
  const wallMs = performance.now() - started;
  for (const watcher of watchers) watcher.close();
  ui.child.kill('SIGINT');
  return { cpuMs, wallMs };
}

/** CPU of everything a shell's children used (herd and every agent it started), from bash's `times`. */
function parseChildrenTimes(text: string): number {
  const lines = text.trim().split('\n');
  const children = lines
    .at(-1)!
    .split(/\s+/)
    .map((part) => {
      const match = /^(\d+)m([\d.]+)s$/.exec(part);
      return match ? Number(match[1]) * 60_000 + Number(match[2]) * 1000 : 0;
    });
  return children.reduce((sum, value) => sum + value, 0);
}

async function watchedRun(root: string, agents: number): Promise<{ runCpuMs: number; uiCpuMs: number; browserMs: number; events: number }> {
  const ui = await startUi(root);
  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(ui.url.toString());
  await page.locator('[data-testid=runs]').waitFor();
  const uiBefore = await cpuMsOf(ui.child.pid!);
  const browserBefore = await rendererCpuMs();
  const script = `"${process.execPath}" "${herdMain}" spawn -n ${agents} "Write a haiku about rivers" --simulate --simulate-latency 2s -q --workspace-root "${root}" >/dev/null 2>&1; times`;
  const shell = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  // The page follows the new run (it selects the newest one by itself).
  await page.locator('[data-testid=run-row]').first().waitFor({ timeout: 60_000 });
  await page.locator('[data-testid=run-row]').first().click();
  await new Promise((resolve) => shell.on('close', resolve));
  await page.locator(`[data-testid=agent-row][data-state=succeeded] >> nth=${agents - 1}`).waitFor({ timeout: 30_000 });
  const uiCpuMs = (await cpuMsOf(ui.child.pid!)) - uiBefore;
  const browserMs = (await rendererCpuMs()) - browserBefore;
  const runId = (await page.locator('[data-testid=run-row]').first().getAttribute('data-run-id'))!;
  const events = (await readFile(path.join(root, runId, 'events.jsonl'), 'utf8')).split('\n').filter(Boolean).length;
  await browser.close();
  ui.child.kill('SIGINT');
  return { runCpuMs: parseChildrenTimes(out), uiCpuMs, browserMs, events };
}

async function main(): Promise<void> {
  await ensureBuilt();
  const events = Number(flagValue('--events') ?? 10_000);
  const agents = Number(flagValue('--agents') ?? 20);
  console.log(machineLine());
  const synthetic = await withTempDir('herd-bench-ui-', (root) => syntheticEvents(root, events, 3));
  printTable({
    title: `herd ui server: ${events} events appended to one run's log, streamed to 3 watching clients`,
    header: ['events', 'clients', 'server CPU (ms)', 'CPU per 1,000 events (ms)', 'wall (s)'],
    rows: [[String(events), '3', fixed(synthetic.cpuMs, 0), fixed((synthetic.cpuMs / events) * 1000, 1), fixed(synthetic.wallMs / 1000, 1)]],
  });
  const watched = await withTempDir('herd-bench-ui-run-', (root) => watchedRun(root, agents));
  printTable({
    title: `a ${agents}-agent simulated run (2 s latency) watched by one page`,
    header: ['run CPU: herd + agents (s)', 'ui server CPU (ms)', 'page renderer CPU (ms)', 'events', 'ui share of the run', 'ui + page share'],
    rows: [
      [
        fixed(watched.runCpuMs / 1000, 1),
        fixed(watched.uiCpuMs, 0),
        fixed(watched.browserMs, 0),
        String(watched.events),
        `${fixed((watched.uiCpuMs / watched.runCpuMs) * 100, 2)}%`,
        `${fixed(((watched.uiCpuMs + watched.browserMs) / watched.runCpuMs) * 100, 2)}%`,
      ],
    ],
  });
}

await main();
