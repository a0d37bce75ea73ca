// The supervisor's own memory (not its agents'): RSS of a node process running herd's
// Supervisor from dist/ with 1, 10, 20, 50 fake agents at once, and with one agent that
// prints 200 MB of output. Each scenario runs in a fresh process (bench/memory-probe.mjs)
// that samples its own RSS every 50 ms and also reads the kernel's high-water mark.
//
//   npx tsx bench/memory.ts [--rounds 1]
//
// Targets (issue 3): under 100 MB at 20 agents; no growth with 200 MB of output.
// Nothing is asserted; the table is printed.

import path from 'node:path';
import { ensureBuilt, fixed, flagValue, machineLine, megabytes, printTable, repoRoot, runTimed, withTempDir } from './lib.js';

const probe = path.join(repoRoot, 'bench', 'memory-probe.mjs');
const rounds = Number(flagValue('--rounds') ?? 1);

interface ProbeResult {
  scenario: string;
  count: number;
  rssBefore: number;
  peakRss: number;
  peakArrayBuffers: number;
  vmHwm: number | null;
  rssAfter: number;
  wallMs: number;
  failed: number;
}

interface Scenario {
  label: string;
  scenario: string;
  count: number;
}

const SCENARIOS: Scenario[] = [
  { label: 'bare node, herd not loaded, idle', scenario: 'bare-idle', count: 0 },
  { label: 'bare node + readline, 200 MB of output', scenario: 'bare-flood', count: 1 },
  { label: 'herd loaded, idle', scenario: 'idle', count: 0 },
  { label: 'sleeper agents (1 s each)', scenario: 'sleepers', count: 1 },
  { label: 'sleeper agents (1 s each)', scenario: 'sleepers', count: 10 },
  { label: 'sleeper agents (1 s each)', scenario: 'sleepers', count: 20 },
  { label: 'sleeper agents (1 s each)', scenario: 'sleepers', count: 50 },
  { label: 'fake claude, normal answer', scenario: 'fake-ok', count: 1 },
  { label: 'fake claude, 200 MB of output', scenario: 'flood', count: 1 },
];

async function main(): Promise<void> {
  await ensureBuilt();
  console.log(`memory bench: ${machineLine()}`);
  const results: Array<{ scenario: Scenario; result: ProbeResult }> = [];
  for (const scenario of SCENARIOS) {
    for (let round = 0; round < rounds; round++) {
      const result = await runProbe(scenario);
      process.stderr.write(
        `${scenario.scenario} x${scenario.count}: peak ${megabytes(result.peakRss)} MB, VmHWM ${megabytes(result.vmHwm ?? Number.NaN)} MB\n`,
      );
      results.push({ scenario, result });
    }
  }
  printResults(results);
}

function runProbe(scenario: Scenario): Promise<ProbeResult> {
  return withTempDir('herd-bench-memory-', async (dir) => {
    const run = await runTimed(process.execPath, [probe, scenario.scenario, String(scenario.count), path.join(dir, 'runs')]);
    if (run.code !== 0) throw new Error(`memory probe ${scenario.scenario} exited ${run.code}:\n${run.stderr}`);
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as ProbeResult;
    if (result.failed > 0) throw new Error(`memory probe ${scenario.scenario}: ${result.failed} agent(s) failed`);
    return result;
  });
}

function printResults(results: Array<{ scenario: Scenario; result: ProbeResult }>): void {
  const peakOf = (name: string, count?: number) =>
    results.find((entry) => entry.scenario.scenario === name && (count === undefined || entry.scenario.count === count))?.result.vmHwm ?? Number.NaN;
  const bareIdle = peakOf('bare-idle');
  const idle = peakOf('idle');
  const baseline = (name: string) => (name.startsWith('bare-') ? bareIdle : idle);
  const rows = results.map(({ scenario, result }) => [
    scenario.label,
    String(scenario.count),
    megabytes(result.rssBefore),
    megabytes(result.peakRss),
    megabytes(result.vmHwm ?? Number.NaN),
    megabytes((result.vmHwm ?? Number.NaN) - baseline(scenario.scenario)),
    megabytes(result.rssAfter),
    megabytes(result.peakArrayBuffers),
    fixed(result.wallMs / 1000, 2),
  ]);
  printTable({
    title: 'supervisor memory (the herd process only, agents not counted)',
    header: [
      'scenario',
      'agents',
      'RSS before run MB',
      'peak RSS (50 ms samples) MB',
      'peak RSS (VmHWM) MB',
      'over idle MB',
      'RSS after MB',
      'peak ArrayBuffers MB',
      'wall s',
    ],
    rows,
    notes: [
      `node alone peaks at ${megabytes(bareIdle)} MB; with herd loaded and idle at ${megabytes(idle)} MB. "over idle" is against the matching idle row (bare or herd).`,
      `20 agents: ${megabytes(peakOf('sleepers', 20))} MB (target < 100 MB). 200 MB of output: ${megabytes(peakOf('flood'))} MB vs ${megabytes(peakOf('fake-ok'))} MB for the same fake agent answering normally (+${megabytes(peakOf('flood') - peakOf('fake-ok'))} MB); plain readline on the same output: +${megabytes(peakOf('bare-flood') - bareIdle)} MB over bare node.`,
      'peak ArrayBuffers = most Buffer memory allocated at once (sampled): not all of it is resident, but it shows churn that RSS hides.',
      'all agents of a scenario run at once (concurrency = agents); sleeper = `node -e` that waits 1 s and prints a line, through agent "command".',
      `machine: ${machineLine()}`,
    ],
  });
}

await main();
