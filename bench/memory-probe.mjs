#!/usr/bin/env node
// The measured side of bench/memory.ts: a bare node process (no tsx, no test runner) that
// loads herd from dist/ and runs one scenario through the Supervisor while sampling its own
// RSS every 50 ms. Plain JavaScript on purpose: a transpiler loaded here would be counted
// as herd's memory. Prints one JSON line on stdout.
//
//   node bench/memory-probe.mjs <scenario> <agents> <workspaceRoot>
//
// Scenarios: bare-idle and bare-flood do not load herd (the floor: node alone, and node
// reading the same 200 MB line by line with readline); idle, sleepers, fake-ok and flood
// run herd's Supervisor.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fakeClaude = path.join(repoRoot, 'test', 'fixtures', 'fake-claude.mjs');
const [scenario = 'idle', countText = '1', workspaceRoot = path.join(repoRoot, 'workspaces')] = process.argv.slice(2);
const count = Number(countText);

// A fake agent: start, sleep 1 s, print a result line, exit 0.
const SLEEPER = [process.execPath, '-e', "setTimeout(() => console.log('slept 1s'), 1000)"];

// Loaded only for herd scenarios, so the bare ones measure node without herd.
const herd = scenario.startsWith('bare-') ? undefined : await import('../dist/index.js');

let peakRss = process.memoryUsage().rss;
// Buffers allocated outside the JS heap: not all resident, but they show churn RSS hides.
let peakArrayBuffers = process.memoryUsage().arrayBuffers;
const sampler = setInterval(() => {
  const usage = process.memoryUsage();
  peakRss = Math.max(peakRss, usage.rss);
  peakArrayBuffers = Math.max(peakArrayBuffers, usage.arrayBuffers);
}, 50);

const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const failed = await runScenario();
const wallMs = performance.now() - started;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);

process.stdout.write(
  `${JSON.stringify({ scenario, count, rssBefore, peakRss, peakArrayBuffers, vmHwm: readVmHwm(), rssAfter: process.memoryUsage().rss, wallMs, failed })}\n`,
);

async function runScenario() {
  if (scenario === 'bare-idle') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return 0;
  }
  if (scenario === 'bare-flood') return readFloodWithoutHerd();
  const { Supervisor } = herd;
  if (scenario === 'idle') {
    // herd loaded, nothing running: the floor every other row is compared with.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return 0;
  }
  if (scenario === 'sleepers') {
    const tasks = Array.from({ length: count }, (_, index) => ({
      id: `sleeper-${index + 1}`,
      prompt: 'sleep',
      agent: 'command',
      command: SLEEPER,
      promptArg: false,
    }));
    const summary = await new Supervisor({ workspaceRoot, concurrency: count }).run(tasks);
    return summary.totals.failed;
  }
  if (scenario === 'fake-ok' || scenario === 'flood') {
    // fake-claude.mjs as the claude binary: `mode:flood` prints 200 MB in 1 MB lines, then a result.
    const prompt = scenario === 'flood' ? 'mode:flood' : 'mode:ok';
    const tasks = Array.from({ length: count }, (_, index) => ({ id: `${scenario}-${index + 1}`, prompt }));
    const summary = await new Supervisor({ workspaceRoot, concurrency: count, claudeBin: fakeClaude }).run(tasks);
    return summary.totals.failed;
  }
  throw new Error(`unknown scenario ${scenario}`);
}

/** What a plain Node script does with the same agent: spawn it and read its stdout line by line. */
async function readFloodWithoutHerd() {
  const child = spawn(fakeClaude, ['-p', '--', 'mode:flood'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr.resume();
  let sawResult = false;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line.startsWith('{"type":"result"')) sawResult = true;
  }
  const code = await new Promise((resolve) => (child.exitCode === null ? child.once('close', resolve) : resolve(child.exitCode)));
  return code === 0 && sawResult ? 0 : 1;
}

/** The kernel's exact high-water mark of this process's RSS (catches peaks between samples). */
function readVmHwm() {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : null;
}
