// Start-up staggering: N `claude` processes started all at once vs one every D ms, side by
// side in one run, on the simulate server with a fixed model latency. Claude's start-up is
// CPU-bound (about 1 CPU-second), so on a small machine N starting together slow each other
// down; the question is whether spreading the starts finishes the batch (or the first
// answers) sooner. The processes are started directly (node child_process), not through
// herd, so this measures the CLI on this machine and nothing of herd's. "gate" is herd's
// `--stagger auto` (src/pool/start-gate.ts): at most one starting agent per core, the next
// starts when one prints its system/init line.
//
//   npx tsx bench/stagger.ts [--n 5,10] [--delays 0,gate,500,1000] [--simulate-latency 2s] [--rounds 2]
//
// start-up = spawn to its `system/init` line (the CLI is ready and about to call the API);
// batch wall = first spawn to last exit; first answer = first spawn to the first exit.

import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveClaudeBin } from '../src/agents/claude-bin.js';
import { parseDuration, simulateEnv, startSimulateServer, type SimulateServer } from '../src/index.js';
import { StartGate } from '../src/pool/start-gate.js';
import { fixed, flagValue, machineLine, mean, median, printTable, withTempDir } from './lib.js';

const PROMPT = 'Write a haiku about rivers';
const counts = (flagValue('--n') ?? '5,10').split(',').map(Number);
type Mode = number | 'gate';
const delaysMs: Mode[] = (flagValue('--delays') ?? '0,gate,500,1000').split(',').map((mode) => (mode === 'gate' ? 'gate' : Number(mode)));
const latencyText = flagValue('--simulate-latency') ?? '2s';
const latencyMs = parseDuration('--simulate-latency', latencyText);
const rounds = Number(flagValue('--rounds') ?? 2);

/** Variables herd never passes on (see src/agent-env.ts), dropped here too. */
const NOT_INHERITED = /^(ANTHROPIC_|CLAUDE_CODE_USE_|AWS_BEARER_TOKEN_BEDROCK$|CLAUDECODE$|CLAUDE_CODE_ENTRYPOINT$|CLAUDE_CODE_SESSION_ID$|HERD_AGENT_TAG$)/;

interface AgentTiming {
  startupMs: number;
  wallMs: number;
  endTs: number;
}

interface Batch {
  wallMs: number;
  firstAnswerMs: number;
  agents: AgentTiming[];
}

async function main(): Promise<void> {
  const claudeBin = resolveClaudeBin();
  const server = await startSimulateServer({ latencyMs });
  console.log(`stagger bench: ${machineLine()}`);
  console.log(`claude: ${claudeBin}; simulated latency ${latencyMs} ms; ${rounds} round(s) per cell, delay order rotated each round`);
  const results = new Map<string, Batch[]>();
  try {
    for (const n of counts) {
      for (let round = 0; round < rounds; round++) {
        const order = rotate(delaysMs, round);
        for (const delayMs of order) {
          const batch = await runBatch(n, delayMs, claudeBin, server);
          const key = `${n}/${delayMs}`;
          results.set(key, [...(results.get(key) ?? []), batch]);
          process.stderr.write(
            `N=${n} ${describeMode(delayMs)} round ${round + 1}: wall ${fixed(batch.wallMs / 1000, 2)} s, start-up median ${fixed(median(batch.agents.map((agent) => agent.startupMs)), 0)} ms\n`,
          );
        }
      }
    }
  } finally {
    await server.close();
  }
  printResults(results);
}

async function runBatch(n: number, mode: Mode, claudeBin: string, server: SimulateServer): Promise<Batch> {
  return withTempDir('herd-bench-stagger-', async (base) => {
    const env = { ...inheritedEnv(), ...simulateEnv(server, 'agent'), CLAUDE_CONFIG_DIR: path.join(base, 'claude-config') };
    await mkdir(env.CLAUDE_CONFIG_DIR);
    const gate = mode === 'gate' ? new StartGate(os.availableParallelism()) : undefined;
    const started = performance.now();
    const agents = await Promise.all(
      Array.from({ length: n }, async (_, index) => {
        const cwd = path.join(base, `agent-${index + 1}`);
        await mkdir(cwd);
        if (mode !== 'gate') await sleep(index * mode);
        const release = gate ? await gate.acquire() : () => undefined;
        return runAgent(claudeBin, cwd, env, release);
      }),
    );
    const ends = agents.map((agent) => agent.endTs - started);
    return { wallMs: Math.max(...ends), firstAnswerMs: Math.min(...ends), agents };
  });
}

function runAgent(claudeBin: string, cwd: string, env: Record<string, string>, onStartedUp: () => void): Promise<AgentTiming> {
  return new Promise((resolve, reject) => {
    const spawnedAt = performance.now();
    let startupMs = Number.NaN;
    let buffered = '';
    let sawResult = false;
    const child = spawn(claudeBin, ['-p', '--output-format', 'stream-json', '--verbose', '--', PROMPT], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let newline = buffered.indexOf('\n'); newline !== -1; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (Number.isNaN(startupMs) && line.includes('"subtype":"init"')) {
          startupMs = performance.now() - spawnedAt;
          onStartedUp();
        }
        if (line.includes('"type":"result"') && line.includes('"is_error":false')) sawResult = true;
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      onStartedUp();
      const endTs = performance.now();
      // A failed agent would flatter whichever side it fell on.
      if (code !== 0 || !sawResult) reject(new Error(`claude in ${cwd} exited ${code} without a good result`));
      else resolve({ startupMs, wallMs: endTs - spawnedAt, endTs });
    });
  });
}

function printResults(results: Map<string, Batch[]>): void {
  const rows: string[][] = [];
  for (const n of counts) {
    const allAtOnce = mean((results.get(`${n}/0`) ?? []).map((batch) => batch.wallMs));
    for (const delayMs of delaysMs) {
      const batches = results.get(`${n}/${delayMs}`) ?? [];
      const wall = mean(batches.map((batch) => batch.wallMs));
      rows.push([
        String(n),
        describeMode(delayMs),
        fixed(wall / 1000, 2),
        fixed(wall / allAtOnce, 2),
        fixed(mean(batches.map((batch) => batch.firstAnswerMs)) / 1000, 2),
        fixed(median(batches.flatMap((batch) => batch.agents.map((agent) => agent.startupMs))) / 1000, 2),
        fixed(Math.max(...batches.flatMap((batch) => batch.agents.map((agent) => agent.startupMs))) / 1000, 2),
        fixed(mean(batches.flatMap((batch) => batch.agents.map((agent) => agent.wallMs))) / 1000, 2),
      ]);
    }
  }
  printTable({
    title: `Start-up staggering: N claude processes all at once vs one every D ms (simulated latency ${latencyText}, mean of ${rounds} round(s))`,
    header: ['N', 'starts', 'batch wall s', 'vs at once', 'first answer s', 'start-up median s', 'start-up max s', 'agent wall mean s'],
    rows,
    notes: [
      `machine: ${machineLine()}; ${os.cpus().length} cores`,
      'start-up = spawn to the system/init line; batch wall = first spawn to last exit; first answer = first spawn to the first exit.',
      'vs at once < 1.00 means staggering finished the batch sooner.',
    ],
  });
}

function describeMode(mode: Mode): string {
  if (mode === 'gate') return `gate (${os.availableParallelism()} starting at once)`;
  return mode === 0 ? 'all at once' : `every ${mode} ms`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !NOT_INHERITED.test(name)) env[name] = value;
  return env;
}

await main();
