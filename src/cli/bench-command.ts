// `herd bench`: run the same N agents sequentially, in parallel and as a plain fan-out, and
// print what parallelism buys and what herd costs per agent (src/bench/bench.ts measures).

import { runBench, type BenchResult } from '../bench/bench.js';
import { parseDuration, parsePositiveInt } from '../options.js';
import { formatMs, renderTable } from '../report/format.js';
import { installInterruptHandlers } from './interrupt.js';
import { printJson, writeErr, writeOut } from './output.js';
import { EXIT_AGENT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';

export interface BenchFlags {
  count?: string;
  simulateLatency?: string;
  /** The old name of --simulate-latency. */
  latency?: string;
  rounds?: string;
  simulate?: boolean;
  prompt?: string;
  claudeBin?: string;
  workspaceRoot?: string;
  keep?: boolean;
  json?: boolean;
}

export const DEFAULT_BENCH_PROMPT = 'Write a haiku about rivers';

export async function benchCommand(flags: BenchFlags): Promise<number> {
  const count = parsePositiveInt('-n/--count', flags.count ?? '5', 100);
  const latencyMs = parseDuration(flags.latency === undefined ? '--simulate-latency' : '--latency', flags.simulateLatency ?? flags.latency ?? '2s');
  const rounds = parsePositiveInt('--rounds', flags.rounds ?? '1', 20);
  const simulate = flags.simulate !== false;
  const interrupt = installInterruptHandlers(writeErr);
  let result: BenchResult;
  try {
    writeErr(
      `herd bench: ${count} agents, ${simulate ? `simulated API with ${formatMs(latencyMs)} latency per answer` : 'REAL model API (this costs money)'}\n`,
    );
    result = await runBench({
      count,
      latencyMs,
      simulate,
      prompt: flags.prompt ?? DEFAULT_BENCH_PROMPT,
      signal: interrupt.signal,
      rounds,
      onPhase: (phase, round) => writeErr(`  ${phase}${round !== undefined && rounds > 1 ? ` (round ${round}/${rounds})` : ''}...\n`),
      ...(flags.claudeBin === undefined ? {} : { claudeBin: flags.claudeBin }),
      ...(flags.workspaceRoot === undefined ? {} : { workspaceRoot: flags.workspaceRoot }),
      ...(flags.keep ? { keep: true } : {}),
    });
  } finally {
    interrupt.dispose();
  }
  if (interrupt.received !== undefined) return EXIT_INTERRUPTED;
  if (flags.json) printJson(result);
  else writeOut(`${renderBench(result)}\n`);
  const allSucceeded = [result.sequential, result.parallel, result.plain].every((phase) => phase.succeeded === result.count);
  if (!allSucceeded) writeErr('warning: some agents did not succeed; the times above include their failures\n');
  return allSucceeded ? EXIT_OK : EXIT_AGENT_FAILED;
}

export function renderBench(result: BenchResult): string {
  const n = result.count;
  const rows = [
    ['sequential', `herd, 1 at a time`, formatMs(result.sequential.wallMs), `${result.sequential.succeeded}/${n}`],
    ['parallel', `herd, ${n} at once`, formatMs(result.parallel.wallMs), `${result.parallel.succeeded}/${n}`],
    ['plain fan-out', `${n} child processes, no herd`, formatMs(result.plain.wallMs), `${result.plain.succeeded}/${n}`],
  ];
  const overhead = `${result.overheadPerAgentMs >= 0 ? '+' : '−'}${formatMs(Math.abs(result.overheadPerAgentMs))}`;
  return [
    `${n} agents, ${result.simulated ? `simulated API, ${formatMs(result.latencyMs)} latency` : 'real API'}, ${result.cpus} CPU${result.cpus === 1 ? '' : 's'}; measured in this run after one unmeasured warm-up start${result.rounds > 1 ? `; parallel and plain are medians of ${result.rounds} rounds` : ''}`,
    '',
    renderTable(['batch', 'how', 'wall', 'ok'], rows, new Set([2])),
    '',
    `speedup      ${result.speedup.toFixed(2)}x  (sequential wall / parallel wall)`,
    `efficiency   ${Math.round(result.efficiency * 100)}%  (speedup / ${n} agents at once)`,
    `overhead     ${overhead} per agent  (herd parallel wall − plain fan-out wall) / ${n}`,
  ].join('\n');
}
