// `npm run report:screenshot`: a picture of the HTML report for a person to look at. Runs 10
// simulated agents through the built CLI (or takes an existing run), writes the run's report
// and saves a full-page PNG from headless Chromium to docs/report-screenshot.png.
//
//   npm run report:screenshot
//   npm run report:screenshot -- --run <runId> --workspace-root <dir> [--out file.png]

import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeRunReport } from '../src/report/write-report.js';
import { launchChromium } from '../test/chromium.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

/** The run the picture shows: 10 agents on the stand-in API, 8 at once (so two of them queue). */
async function spawnSimulatedRun(root: string): Promise<string> {
  const args = [
    path.join(repoRoot, 'dist/cli/main.js'),
    'spawn',
    '-n',
    '10',
    'Write a haiku about rivers',
    '--simulate',
    '--simulate-latency',
    '1s',
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
  const out = path.resolve(flag('--out') ?? path.join(repoRoot, 'docs', 'report-screenshot.png'));
  const givenRun = flag('--run');
  const root = givenRun
    ? path.resolve(flag('--workspace-root') ?? path.join(repoRoot, 'workspaces'))
    : await mkdtemp(path.join(os.tmpdir(), 'herd-screenshot-'));
  try {
    const runId = givenRun ?? (await spawnSimulatedRun(root));
    const report = await writeRunReport({ root, runId });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1060, height: 900 }, deviceScaleFactor: 1 });
      await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
      // Everything down to the first agent's prompt and answer: the full page of 10 answers is too tall to look at.
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
