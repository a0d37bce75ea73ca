// How much CPU herd spends reading an agent's output, against a plain readline loop over the
// same bytes. One agent prints --mb megabytes of --line-bytes-long lines as fast as the pipe
// takes them; each side runs in a fresh node process (bench/parse-probe.mjs, herd from dist/)
// that reports its own CPU for the reading alone. Rounds rotate the order of the sides.
//
//   npx tsx bench/parse.ts [--mb 100] [--line-bytes 100] [--rounds 3]
//
// Target (issue 12, item 16): herd's command agent at most 2x the readline loop.
// Nothing is asserted; the table is printed.

import path from 'node:path';
import { ensureBuilt, fixed, flagValue, machineLine, median, printTable, repoRoot, runTimed, withTempDir } from './lib.js';

const probe = path.join(repoRoot, 'bench', 'parse-probe.mjs');
const megabytes = Number(flagValue('--mb') ?? 100);
const lineBytes = Number(flagValue('--line-bytes') ?? 100);
const rounds = Number(flagValue('--rounds') ?? 3);

const SIDES = [
  { side: 'readline', label: 'node:readline loop (line events, nothing kept)' },
  { side: 'herd-command', label: 'herd command agent (cold attempt: process group, watchdog, 64 KiB answer tail, result)' },
  { side: 'herd-lines', label: 'herd line splitter (runProcess onLine, parser does nothing: the path claude lines take)' },
] as const;
type Side = (typeof SIDES)[number]['side'];

interface Sample {
  cpuMs: number;
  wallMs: number;
  maxRssMb: number;
}

async function main(): Promise<void> {
  await ensureBuilt();
  console.log(`parse bench: ${machineLine()}`);
  const samples = new Map<Side, Sample[]>(SIDES.map(({ side }) => [side, []]));
  for (let round = 0; round < rounds; round++) {
    const order = SIDES.map((_, index) => SIDES[(index + round) % SIDES.length]!.side);
    for (const side of order) {
      const sample = await runProbe(side);
      samples.get(side)!.push(sample);
      process.stderr.write(`round ${round + 1} ${side}: ${fixed(sample.cpuMs / 1000, 2)} CPU-s, ${fixed(sample.wallMs / 1000, 2)} s wall\n`);
    }
  }
  printResults(samples);
}

function runProbe(side: Side): Promise<Sample> {
  return withTempDir('herd-bench-parse-', async (dir) => {
    const run = await runTimed(process.execPath, [probe, side, String(megabytes), String(lineBytes), dir]);
    if (run.code !== 0) throw new Error(`parse probe ${side} exited ${run.code}:\n${run.stderr}`);
    return JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Sample;
  });
}

function printResults(samples: Map<Side, Sample[]>): void {
  const cpu = (side: Side) => median(samples.get(side)!.map((sample) => sample.cpuMs));
  const wall = (side: Side) => median(samples.get(side)!.map((sample) => sample.wallMs));
  const baseline = cpu('readline');
  const lines = Math.floor((megabytes * 1024 * 1024) / lineBytes);
  printTable({
    title: `reading ${megabytes} MB of ${lineBytes}-byte lines from one agent (${lines.toLocaleString('en-US')} lines; medians of ${rounds} rounds)`,
    header: ['reader', 'CPU s', 'wall s', 'CPU / readline', 'ns CPU per line', 'max RSS MB'],
    rows: SIDES.map(({ side, label }) => [
      label,
      fixed(cpu(side) / 1000, 2),
      fixed(wall(side) / 1000, 2),
      fixed(cpu(side) / baseline, 2),
      fixed((cpu(side) * 1e6) / lines, 0),
      fixed(median(samples.get(side)!.map((sample) => sample.maxRssMb)), 0),
    ]),
    notes: [
      `machine: ${machineLine()}`,
      "CPU = user+sys of the reading node process while it read (process.cpuUsage around the work; node's start and module loading left out; the writing agent's CPU not counted).",
      'Target: herd command agent / readline <= 2.',
    ],
  });
}

await main();
