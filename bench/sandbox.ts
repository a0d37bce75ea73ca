// What --sandbox adds to each agent's start: the same agents one at a time through the herd
// Supervisor, with and without bubblewrap, rounds alternating the order. Two kinds: a command
// agent running `true` (the start-up itself, nothing else), and the real claude answering one
// prompt on the stand-in API (what a user sees). Nothing is asserted; the target is <= 50 ms.
//
//   npx tsx bench/sandbox.ts [--runs 100] [--claude-runs 3] [--rounds 3] [--no-claude]

import path from 'node:path';
import { probeSandbox } from '../src/sandbox/probe.js';
import { Supervisor, type AgentTask } from '../src/index.js';
import { ensureBuilt, fixed, flagValue, hasFlag, machineLine, median, printTable, withTempDir } from './lib.js';

const runs = Number(flagValue('--runs') ?? 100);
const claudeRuns = Number(flagValue('--claude-runs') ?? 3);
const rounds = Number(flagValue('--rounds') ?? 3);
const withClaude = !hasFlag('--no-claude');

type Kind = 'command' | 'claude';

async function main(): Promise<void> {
  const problem = await probeSandbox(process.env.HERD_BWRAP || 'bwrap');
  if (problem) {
    console.log(`sandbox bench skipped: ${problem}`);
    return;
  }
  await ensureBuilt();
  console.log(`sandbox bench: ${runs} command agents and ${withClaude ? claudeRuns : 0} claude agents one at a time, ${rounds} round(s); ${machineLine()}`);
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const kind of withClaude ? (['command', 'claude'] as const) : (['command'] as const)) {
    const count = kind === 'command' ? runs : claudeRuns;
    const samples = { off: [] as number[], on: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const variant of order) samples[variant].push(await perAgentMs(kind, count, variant === 'on'));
      process.stderr.write(`${kind} round ${round + 1}: off ${fixed(samples.off.at(-1)!, 1)} ms, on ${fixed(samples.on.at(-1)!, 1)} ms per agent\n`);
    }
    const off = median(samples.off);
    const on = median(samples.on);
    rows.push([
      kind === 'command' ? 'command agent (`true`)' : 'claude, one answer (stand-in API)',
      String(count),
      fixed(off, 1),
      fixed(on, 1),
      fixed(on - off, 1),
      samples.on.map((value, index) => fixed(value - samples.off[index]!, 1)).join(' / '),
    ]);
    if (kind === 'command') notes.push(`added start-up per agent: ${fixed(on - off, 1)} ms (target <= 50 ms).`);
  }
  printTable({
    title: `--sandbox: wall time per agent, one agent at a time (median of ${rounds} rounds)`,
    header: ['agent', 'agents', 'without ms', 'with ms', 'added ms', 'added per round (ms)'],
    rows,
    notes: [
      ...notes,
      'each agent is a full herd agent (workspace, run record, end-of-agent sweep); with --sandbox its command runs under bwrap (read-only system, private /tmp and PID namespace).',
      `machine: ${machineLine()}`,
    ],
  });
}

/** Wall time per agent of `count` agents run one after another, sandboxed or not. */
async function perAgentMs(kind: Kind, count: number, sandbox: boolean): Promise<number> {
  return withTempDir('herd-bench-sandbox-', async (dir) => {
    const tasks: AgentTask[] = Array.from({ length: count }, (_, index) =>
      kind === 'command'
        ? { id: `noop-${index + 1}`, prompt: 'noop', agent: 'command', command: ['true'], promptArg: false }
        : { id: `claude-${index + 1}`, prompt: 'Say hello' },
    );
    const supervisor = new Supervisor({
      workspaceRoot: path.join(dir, 'runs'),
      concurrency: 1,
      sandbox,
      ...(kind === 'claude' ? { simulate: { latencyMs: 0 } } : {}),
    });
    const started = performance.now();
    const summary = await supervisor.run(tasks);
    const wallMs = performance.now() - started;
    if (summary.totals.failed > 0)
      throw new Error(
        `${kind} agents failed${sandbox ? ' under --sandbox' : ''}: ${summary.agents.find((agent) => agent.status !== 'succeeded')?.error?.message}`,
      );
    return wallMs / count;
  });
}

await main();
