// Later turns of N agents: cold (every turn starts a new `claude --resume` process) vs warm
// (each agent's process kept alive between turns, `--input-format stream-json`), side by side
// in one run, on the simulate server with a fixed model latency.
//
//   npx tsx bench/continuation.ts [--n 4] [--simulate-latency 500ms] [--turns 3] [--rounds 2]
//
// warm:           herd spawn -n N "<prompt>" --then ... (×turns) --keep-alive
// cold:           herd spawn -n N "<prompt>" --then ... (×turns) --no-keep-alive
//                 (each later turn is exactly a `herd continue`, minus herd's own start-up)
// herd continue:  herd spawn -n N "<prompt>", then `herd continue <runId> ...` once per later
//                 turn as separate commands (what a user typing commands gets; node start-up included)
// "turn wall" is the turn's wall time as herd records it in run.json (first agent start to
// last agent end); for `herd continue` the command's own wall time is shown beside it.
// Rounds alternate the order of the modes so caches and thermal drift favour none of them.

import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { parseDuration, type HerdEvent, type RunSummary } from '../src/index.js';
import { resolveClaudeBin } from '../src/agents/claude-bin.js';
import { ensureBuilt, fixed, flagValue, herdMain, machineLine, median, printTable, runTimed, withTempDir } from './lib.js';

const PROMPT = 'Write a haiku about rivers';
const FOLLOW_UPS = ['Now make it about the sea', 'Now make it shorter', 'Now give it a title', 'Now translate it', 'Now explain it'];
const n = Number(flagValue('--n') ?? 4);
const latencyText = flagValue('--simulate-latency') ?? '500ms';
const latencyMs = parseDuration('--simulate-latency', latencyText);
const laterTurns = Math.min(Number(flagValue('--turns') ?? 3), FOLLOW_UPS.length);
const rounds = Number(flagValue('--rounds') ?? 2);

type Mode = 'warm' | 'cold' | 'continue';
const MODES: Mode[] = ['warm', 'cold', 'continue'];

interface Sample {
  /** Wall time of turn 1 and of each later turn, as run.json records them. */
  firstTurnMs: number;
  laterTurnMs: number[];
  /** Each agent's time in each later turn. */
  laterAgentMs: number[];
  /** Each later turn's wall minus its slowest agent's time: what herd itself adds to a turn. */
  laterHerdMs: number[];
  /** For `herd continue`: each command's wall time, node start-up included. */
  commandMs: number[];
  /** claude processes started over all turns (agent.start events not served warm). */
  processes: number;
}

async function main(): Promise<void> {
  await ensureBuilt();
  const claudeBin = resolveClaudeBin();
  console.log(`continuation bench: ${machineLine()}`);
  console.log(`claude: ${claudeBin}; N=${n} agents; simulated latency ${latencyMs} ms; 1 + ${laterTurns} turns; ${rounds} round(s), alternating order`);
  const samples = new Map<Mode, Sample[]>(MODES.map((mode) => [mode, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? MODES : [...MODES].reverse();
    for (const mode of order) {
      const sample = await runMode(mode, claudeBin);
      samples.get(mode)!.push(sample);
      process.stderr.write(`round ${round + 1} ${mode}: later turns ${sample.laterTurnMs.map((ms) => `${Math.round(ms)}`).join(', ')} ms\n`);
    }
  }
  printResults(samples);
}

async function runMode(mode: Mode, claudeBin: string): Promise<Sample> {
  return withTempDir('herd-bench-continuation-', async (dir) => {
    const eventsFile = path.join(dir, 'events.jsonl');
    const common = ['--simulate-latency', latencyText, '--workspace-root', path.join(dir, 'runs'), '--claude-bin', claudeBin, '--json', '-q'];
    const followUps = FOLLOW_UPS.slice(0, laterTurns);
    const spawnArgs = ['spawn', '-n', String(n), PROMPT, ...common, '--events', eventsFile];
    const commandMs: number[] = [];
    let summary: RunSummary;
    if (mode === 'continue') {
      summary = await herd(spawnArgs);
      for (const [index, followUp] of followUps.entries()) {
        const started = performance.now();
        summary = await herd(['continue', summary.runId, followUp, ...common, '--events', `${eventsFile}.${index}`]);
        commandMs.push(performance.now() - started);
      }
    } else {
      summary = await herd([...spawnArgs, ...followUps.flatMap((followUp) => ['--then', followUp]), mode === 'warm' ? '--keep-alive' : '--no-keep-alive']);
    }
    const failed = summary.turns.flatMap((turn) => turn.agents).filter((agent) => agent.status !== 'succeeded');
    if (failed.length > 0) throw new Error(`${mode}: ${failed.length} agent turn(s) did not succeed: ${failed[0]!.error?.message ?? failed[0]!.status}`);
    const later = summary.turns.slice(1);
    const eventFiles = [eventsFile, ...(mode === 'continue' ? followUps.map((_, index) => `${eventsFile}.${index}`) : [])];
    return {
      firstTurnMs: summary.turns[0]!.wallMs ?? Number.NaN,
      laterTurnMs: later.map((turn) => turn.wallMs ?? Number.NaN),
      laterAgentMs: later.flatMap((turn) => turn.agents.map((agent) => agent.durationMs)),
      laterHerdMs: later.map((turn) => (turn.wallMs ?? Number.NaN) - Math.max(...turn.agents.map((agent) => agent.durationMs))),
      commandMs,
      processes: await countProcessStarts(eventFiles),
    };
  });
}

async function herd(args: string[]): Promise<RunSummary> {
  const run = await runTimed(process.execPath, [herdMain, ...args], { env: process.env });
  if (run.code !== 0) throw new Error(`herd ${args.slice(0, 2).join(' ')} exited ${run.code}:\n${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout) as RunSummary;
}

async function countProcessStarts(files: string[]): Promise<number> {
  let count = 0;
  for (const file of files) {
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      if (!line) continue;
      const event = JSON.parse(line) as HerdEvent;
      if (event.type === 'agent.start' && !event.warm) count += 1;
    }
  }
  return count;
}

function printResults(samples: Map<Mode, Sample[]>): void {
  const label: Record<Mode, string> = {
    warm: 'warm (--then, kept alive)',
    cold: 'cold (--then --no-keep-alive)',
    continue: 'cold (herd continue commands)',
  };
  const all = (mode: Mode, pick: (sample: Sample) => number[]) => samples.get(mode)!.flatMap(pick);
  const laterMedian = (mode: Mode) => median(all(mode, (sample) => sample.laterTurnMs));
  const rows = MODES.map((mode) => {
    const later = laterMedian(mode);
    const commands = all(mode, (sample) => sample.commandMs);
    return [
      label[mode],
      fixed(median(all(mode, (sample) => [sample.firstTurnMs])), 0),
      fixed(later, 0),
      `+${fixed(later - latencyMs, 0)}`,
      fixed(median(all(mode, (sample) => sample.laterAgentMs)), 0),
      fixed(median(all(mode, (sample) => sample.laterHerdMs)), 0),
      commands.length > 0 ? fixed(median(commands), 0) : '-',
      fixed(median(all(mode, (sample) => [sample.processes])), 0),
    ];
  });
  const warm = laterMedian('warm');
  const cold = laterMedian('cold');
  printTable({
    title: `Continuation: ${n} agents, ${latencyMs} ms model latency, ${laterTurns} later turns × ${rounds} round(s) (median ms)`,
    header: ['mode', 'turn 1 wall', 'later turn wall', 'over latency', 'agent time per later turn', 'herd share of turn', 'command wall', 'claude processes'],
    rows,
    notes: [
      `warm later turn: ${fixed(cold / warm, 1)}x faster than a cold one; ${fixed(warm - latencyMs, 0)} ms over the model latency (target <= 100 ms), cold ${fixed(cold - latencyMs, 0)} ms`,
      'over latency = later turn wall - the simulated model latency (one model request per turn here)',
      "agent time = from handing the turn to the agent's process to its result line; herd share = turn wall - the slowest agent's time (recording, events, scheduling)",
      'command wall = a whole `herd continue` command, node start-up and run record included',
      machineLine(),
    ],
  });
}

await main();
