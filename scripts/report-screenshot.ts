// `npm run report:screenshot`: a picture of the HTML report for a person to look at. Runs six
// simulated agents through the built CLI, four at once (so two queue), one of them retrying
// after a 529, one failing, one stopped by its deadline, then a second turn for all of them
// (or takes an existing run), writes the run's report and saves a PNG from headless Chromium
// to docs/report-screenshot.png.
//
//   npm run report:screenshot
//   npm run report:screenshot -- --run <runId> --workspace-root <dir> [--out file.png]

import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeRunReport } from '../src/report/write-report.js';
import { launchChromium } from '../test/chromium.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The flags, or one line and exit 2 for a bad one (never a stack trace). */
function readFlags(): { out?: string; run?: string; 'workspace-root'?: string } {
  try {
    return parseArgs({ options: { out: { type: 'string' }, run: { type: 'string' }, 'workspace-root': { type: 'string' } } }).values;
  } catch (error) {
    const message = ((error as Error).message.split('\n')[0] ?? '').replace(/\. To specify a positional argument.*$/, '');
    process.stderr.write(`report-screenshot.ts: ${message} (usage: [--run <runId> --workspace-root <dir>] [--out file.png])\n`);
    process.exit(2);
  }
}

const TASKS = `defaults: { timeout: 20s }
tasks:
  - { id: poet, prompt: Write a haiku about rivers }
  - { id: chef, prompt: A recipe with river fish }
  - { id: builder, prompt: "Make notes [sim:write notes.md] then answer", permissionMode: acceptEdits }
  - { id: flaky, prompt: "Answer after a hiccup [sim:status 529 x1]" }
  - { id: broken, prompt: "Refused [sim:status 400]" }
  - { id: sleeper, prompt: "Take forever [sim:hang]", timeout: 6s }
`;

async function spawnSimulatedRun(root: string): Promise<string> {
  const tasks = path.join(root, 'tasks.yaml');
  await writeFile(tasks, TASKS);
  const args = [
    path.join(repoRoot, 'dist/cli/main.js'),
    'spawn',
    '--tasks',
    tasks,
    '-c',
    '4',
    '--simulate-latency',
    '1s',
    '--then',
    'Now make it shorter',
    '--json',
    '--workspace-root',
    root,
  ];
  process.stderr.write(`running: node ${args.slice(1).join(' ')}\n`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0 && code !== 1) throw new Error(`herd spawn exited with ${code} (is dist/ built? npm run build)`);
  return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { runId: string }).runId;
}

async function main(): Promise<void> {
  const flags = readFlags();
  const out = path.resolve(flags.out ?? path.join(repoRoot, 'docs', 'report-screenshot.png'));
  const givenRun = flags.run;
  const root = givenRun
    ? path.resolve(flags['workspace-root'] ?? path.join(repoRoot, 'workspaces'))
    : await mkdtemp(path.join(os.tmpdir(), 'herd-screenshot-'));
  try {
    const runId = givenRun ?? (await spawnSimulatedRun(root));
    const report = await writeRunReport({ root, runId });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1060, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      // Everything down to the first agent's prompt and answer: the full page of every answer is too tall to look at.
      const agents = await page.locator('#agents').boundingBox();
      const firstAgent = await page.locator('details.agent').first().boundingBox();
      const bottom = agents && firstAgent ? firstAgent.y + Math.min(firstAgent.height, 420) : undefined;
      await page.screenshot({ path: out, fullPage: true, ...(bottom ? { clip: { x: 0, y: 0, width: 1060, height: Math.ceil(bottom) } } : {}) });
    } finally {
      await browser.close();
    }
    process.stderr.write(`report: ${report}\nscreenshot: ${out}\n`);
  } finally {
    if (!givenRun) await rm(root, { recursive: true, force: true });
  }
}

await main();
