#!/usr/bin/env node
// The measured side of bench/parse.ts: a bare node process (no tsx) that reads one agent's
// flood of stdout one way and prints its own CPU and wall for that alone (loading modules
// and node's start are left out). Plain JavaScript so no transpiler is counted.
//
//   node bench/parse-probe.mjs <side> <megabytes> <lineBytes> <workspace>
//
// Sides: readline (node:readline over the child's stdout, 'line' events: the floor),
// herd-command (herd's whole cold attempt of a generic `command` agent from dist/: process
// group, watchdog, stdout handling, the adapter keeping the answer's tail, the result),
// herd-lines (dist/process/run-process.js splitting the same stdout into lines for a
// parser that does nothing: the path every claude line takes before JSON.parse).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const [side = 'readline', megabytesText = '100', lineBytesText = '100', workspace = process.cwd()] = process.argv.slice(2);
const totalBytes = Math.round(Number(megabytesText) * 1024 * 1024);
const lineBytes = Number(lineBytesText);

// The agent: writes totalBytes of lineBytes-long lines ("x..x\n") as fast as the pipe takes them.
const PRODUCER = `
const [total, lineBytes] = process.argv.slice(1).map(Number);
const line = 'x'.repeat(lineBytes - 1) + '\\n';
const block = Buffer.from(line.repeat(Math.max(1, Math.floor(65536 / lineBytes))));
let left = Math.floor(total / lineBytes) * lineBytes;
function write() {
  while (left > 0) {
    const part = left >= block.length ? block : block.subarray(0, left);
    left -= part.length;
    if (!process.stdout.write(part)) return process.stdout.once('drain', write);
  }
}
write();
`;
const command = [process.execPath, '-e', PRODUCER, String(totalBytes), String(lineBytes)];
const expectedLines = Math.floor(totalBytes / lineBytes);

const herd =
  side === 'readline'
    ? undefined
    : {
        ...(await import('../dist/attempt/cold-attempt.js')),
        ...(await import('../dist/agents/command.js')),
        ...(await import('../dist/process/run-process.js')),
      };

const tag = `bench-parse-${process.pid}`;
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HERD_AGENT_TAG: tag };

const cpuBefore = process.cpuUsage();
const started = performance.now();
const { lines, tailBytes } = await runSide();
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
if (lines !== undefined && lines !== expectedLines) throw new Error(`${side}: ${lines} lines, expected ${expectedLines}`);
process.stdout.write(
  `${JSON.stringify({ side, cpuMs: (cpu.user + cpu.system) / 1000, wallMs, lines, tailBytes, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);

async function runSide() {
  if (side === 'readline') return readlineLoop();
  if (side === 'herd-command') return herdCommand();
  if (side === 'herd-lines') return herdLines();
  throw new Error(`unknown side ${side}`);
}

function readlineLoop() {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
    let lines = 0;
    createInterface({ input: child.stdout }).on('line', () => {
      lines += 1;
    });
    child.on('error', reject);
    child.on('close', () => resolve({ lines }));
  });
}

async function herdCommand() {
  const task = { id: 'flood', prompt: 'flood', agent: 'command', command, promptArg: false };
  const result = await herd.executeAgentTurn(task, { adapter: herd.createCommandAdapter(), workspace, env, tag });
  if (result.status !== 'succeeded') throw new Error(`herd-command: ${result.status} ${result.error?.message}`);
  return { tailBytes: Buffer.byteLength(result.result ?? '') };
}

async function herdLines() {
  let lines = 0;
  const run = await herd.runProcess({
    file: command[0],
    args: command.slice(1),
    cwd: workspace,
    env,
    tag,
    onLine: () => {
      lines += 1;
    },
  });
  if (run.exitCode !== 0) throw new Error(`herd-lines: exit ${run.exitCode} ${run.signal ?? ''}`);
  return { lines };
}
