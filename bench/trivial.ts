// Per-agent overhead with nothing else in the way: 500 runs of `true`, 8 at a time, through
// herd's generic command adapter vs `xargs -P 8` vs a bare Node child_process loop.
//
//   npx tsx bench/trivial.ts [--runs 500] [--rounds 3]
//
// herd and the bare loop run inside this process (the library, as a script would use it),
// timed from the call to its end; xargs is timed from spawn to exit. Each round runs all
// three, rotating the order. The bare loop reads stdout and stderr like herd must; it is
// the floor of what any Node supervisor can do. Nothing is asserted; ratios are printed.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { Supervisor, type AgentTask } from '../src/index.js';
import { fixed, flagValue, machineLine, measureOwnCpu, median, printTable, runTimed, withTempDir } from './lib.js';

const runs = Number(flagValue('--runs') ?? 500);
const rounds = Number(flagValue('--rounds') ?? 3);
const CONCURRENCY = 8;

interface Sample {
  wallMs: number;
  /** This process's CPU during the run (for xargs: only waiting, so not reported). */
  cpuMs: number;
}

type Variant = 'herd' | 'node' | 'xargs';
const VARIANTS: Variant[] = ['herd', 'node', 'xargs'];

async function main(): Promise<void> {
  console.log(`trivial bench: ${runs} runs of \`true\`, concurrency ${CONCURRENCY}, ${rounds} round(s); ${machineLine()}`);
  const samples: Record<Variant, Sample[]> = { herd: [], node: [], xargs: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no variant always runs first (cold) or last.
    const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]!);
    for (const variant of order) samples[variant].push(await runVariant(variant));
    process.stderr.write(`round ${round + 1}: ${VARIANTS.map((variant) => `${variant} ${fixed(samples[variant].at(-1)!.wallMs, 0)} ms`).join(', ')}\n`);
  }
  printResults(samples);
}

function runVariant(variant: Variant): Promise<Sample> {
  if (variant === 'herd') return runHerd();
  if (variant === 'node') return timed(() => runBareNode());
  return runXargs();
}

async function timed(work: () => Promise<void>): Promise<Sample> {
  const started = performance.now();
  const { cpuMs } = await measureOwnCpu(work);
  return { wallMs: performance.now() - started, cpuMs };
}

async function runHerd(): Promise<Sample> {
  return withTempDir('herd-bench-trivial-', async (dir) => {
    const tasks: AgentTask[] = Array.from({ length: runs }, (_, index) => ({
      id: `noop-${index + 1}`,
      prompt: 'noop',
      agent: 'command',
      command: ['true'],
      promptArg: false,
    }));
    const supervisor = new Supervisor({ workspaceRoot: path.join(dir, 'runs'), concurrency: CONCURRENCY });
    let failed = 0;
    const sample = await timed(async () => {
      const summary = await supervisor.run(tasks);
      failed = summary.totals.failed;
    });
    if (failed > 0) throw new Error(`herd: ${failed} of ${runs} no-op agents failed`);
    return sample;
  });
}

/** At most CONCURRENCY children at once; each one's output is drained and its close awaited. */
async function runBareNode(): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      next += 1;
      await runOne();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function runOne(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`true exited ${code}`))));
  });
}

async function runXargs(): Promise<Sample> {
  // `seq` feeds one argument per line; `true` ignores it. -n 1 = one process per run.
  const run = await runTimed('bash', ['-c', `seq ${runs} | xargs -P ${CONCURRENCY} -n 1 true`]);
  if (run.code !== 0) throw new Error(`xargs exited ${run.code}: ${run.stderr}`);
  return { wallMs: run.wallMs, cpuMs: Number.NaN };
}

function printResults(samples: Record<Variant, Sample[]>): void {
  const wall = (variant: Variant) => median(samples[variant].map((sample) => sample.wallMs));
  const cpu = (variant: Variant) => median(samples[variant].map((sample) => sample.cpuMs));
  const herd = wall('herd');
  const row = (variant: Variant, label: string) => [
    label,
    fixed(wall(variant), 0),
    fixed((wall(variant) / runs) * 1000, 0),
    fixed(herd / wall(variant), 2),
    variant === 'xargs' ? 'n/a' : fixed(cpu(variant), 0),
    variant === 'xargs' ? 'n/a' : fixed((cpu(variant) / runs) * 1000, 0),
    samples[variant].map((sample) => fixed(sample.wallMs, 0)).join(' / '),
  ];
  printTable({
    title: `${runs} runs of \`true\`, ${CONCURRENCY} at a time (median of ${rounds} rounds)`,
    header: ['runner', 'wall ms', 'µs per run', 'herd / this', 'supervisor CPU ms', 'CPU µs per run', 'rounds (wall ms)'],
    rows: [row('herd', 'herd Supervisor, agent "command"'), row('node', 'bare Node child_process loop'), row('xargs', 'xargs -P 8')],
    notes: [
      `herd / bare Node = ${fixed(herd / wall('node'), 2)}x (target <= 2), herd / xargs = ${fixed(herd / wall('xargs'), 2)}x (target <= 3).`,
      'herd includes everything a run does: one workspace directory per agent, run.json (fsynced) after each agent, events.jsonl, the end-of-agent sweep for escaped processes.',
      "supervisor CPU = user+sys of this process while the run went on (the children's CPU is not in it).",
      `machine: ${machineLine()}`,
    ],
  });
}

await main();
