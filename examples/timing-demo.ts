// What parallelism buys: the same five tasks run one after another (concurrency 1), then
// all at once, with both wall times side by side.
//
//   npx tsx examples/timing-demo.ts --simulate                # stand-in API, 3 s per answer
//   npx tsx examples/timing-demo.ts --simulate-latency 5s
//   npx tsx examples/timing-demo.ts                           # real claude, real cost
//
// Two speedups are printed, and they answer different questions:
// - measured speedup = sequential wall / parallel wall: what you actually gained;
// - herd's speedup = sum of agent times / parallel wall: how much agent time overlapped.
// On a small machine agents slow each other down while starting (claude start-up is
// CPU-bound), so the second is higher than the first. Both are honest; read both.

import { Supervisor, renderTimingAccount, type AgentTask, type RunSummary } from '../src/index.js';
import { describeMode, parseExampleArgs } from './args.js';

/** With a zero-latency stand-in the demo only measures CPU-bound start-up; 3 s looks like a model. */
const SIMULATED_LATENCY_MS = 3000;

const topics = ['rivers', 'mountains', 'deserts', 'forests', 'oceans'];
const tasks: AgentTask[] = topics.map((topic) => ({ id: `haiku-${topic}`, prompt: `Write a haiku about ${topic}.` }));

const args = parseExampleArgs(SIMULATED_LATENCY_MS);
const common = {
  simulate: args.simulate,
  ...(args.workspaceRoot === undefined ? {} : { workspaceRoot: args.workspaceRoot }),
};

console.log(describeMode(args));
console.log(`\nsequential: ${tasks.length} tasks, concurrency 1 ...`);
const sequential = await new Supervisor({ ...common, concurrency: 1 }).run(tasks);
console.log(renderTimingAccount(sequential.totals));

console.log(`\nparallel: ${tasks.length} tasks, concurrency ${tasks.length} ...`);
const parallel = await new Supervisor({ ...common, concurrency: tasks.length }).run(tasks);
console.log(renderTimingAccount(parallel.totals));

printComparison(sequential, parallel);
process.exitCode = sequential.status === 'succeeded' && parallel.status === 'succeeded' ? 0 : 1;

function printComparison(seq: RunSummary, par: RunSummary): void {
  const measured = par.totals.wallMs > 0 ? seq.totals.wallMs / par.totals.wallMs : 0;
  const lines = [
    '',
    '== comparison ==',
    `sequential wall      ${seconds(seq.totals.wallMs)}  (run ${seq.runId})`,
    `parallel wall        ${seconds(par.totals.wallMs)}  (run ${par.runId})`,
    `measured speedup     ${measured.toFixed(2)}x  (sequential wall / parallel wall)`,
    `measured efficiency  ${percent(measured / tasks.length)}  (measured speedup / ${tasks.length} agents)`,
    `herd's speedup       ${par.totals.speedup.toFixed(2)}x  (sum of agent times / wall, in the parallel run)`,
    `herd's efficiency    ${percent(par.totals.efficiency)}  (herd's speedup / concurrency ${par.totals.concurrency})`,
    `time saved           ${seconds(Math.max(0, seq.totals.wallMs - par.totals.wallMs))}`,
  ];
  console.log(lines.join('\n'));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
