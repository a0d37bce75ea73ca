// herd vs a plain shell fan-out of the identical `claude` commands, side by side in one run.
//
//   npx tsx bench/spawn.ts [--rounds 2] [--simulate-latency 2s] [--with-20 | --n 1,5] [--all-at-once]
//
// herd side:  node dist/cli/main.js spawn -n N "<prompt>" --simulate --simulate-latency 2s --json
//             at herd's defaults (all N at once as far as free memory goes, starts gated at one
//             per core beyond 3 agents per core); herd starts its own simulate server inside
//             its process. --all-at-once gives herd `-c N --stagger 0` instead: every agent
//             started at once with no gate, exactly as the shell starts them.
// shell side: bash `&` + `wait` of N × `claude -p --output-format stream-json --verbose -- "<prompt>"`,
//             each in its own temp cwd, stdin </dev/null, stdout to a file, with the env herd
//             would give (simulateEnv of a server this bench runs, one fresh CLAUDE_CONFIG_DIR
//             per batch, as herd uses one per run).
// shell+setsid: the same, each claude started with `setsid`, i.e. in a session of its own as
//             herd starts agents. This matters on a busy Linux box: with sched_autogroup
//             the CPU is shared per session, so N agents in the shell's one session get one
//             share while herd's N agents get N shares. On an idle machine both shells match.
// Each round runs every side, rotating which goes first, so warm caches and load drift do
// not always favour the same side. Nothing is asserted; the ratios are printed.
//
// CPU: "herd CPU" is the herd node process's own user+sys (RUSAGE_SELF via a preload, not its
// agents). It includes herd's embedded simulate server, so the same server's CPU during the
// shell runs (this bench process's CPU while a shell batch ran) is subtracted to give
// "herd added CPU": what supervising costs beyond serving the model answers.

import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveClaudeBin } from '../src/agents/claude-bin.js';
import { parseDuration, simulateEnv, startSimulateServer, type RunSummary, type SimulateServer } from '../src/index.js';
import {
  ensureBuilt,
  fixed,
  flagValue,
  hasFlag,
  herdMain,
  machineLine,
  mean,
  median,
  measureOwnCpu,
  printTable,
  readSelfUsage,
  runTimed,
  seconds,
  selfUsageFlags,
  withTempDir,
  type SelfUsage,
} from './lib.js';

const PROMPT = 'Write a haiku about rivers';
const latencyText = flagValue('--simulate-latency') ?? '2s';
const latencyMs = parseDuration('--simulate-latency', latencyText);
const rounds = Number(flagValue('--rounds') ?? 2);
const allAtOnce = hasFlag('--all-at-once');
const counts = flagValue('--n')?.split(',').map(Number) ?? (hasFlag('--with-20') ? [1, 5, 10, 20] : [1, 5, 10]);

/** Variables herd never passes on (see src/agent-env.ts), dropped here too so both sides see the same env. */
const NOT_INHERITED = /^(ANTHROPIC_|CLAUDE_CODE_USE_|AWS_BEARER_TOKEN_BEDROCK$|CLAUDECODE$|CLAUDE_CODE_ENTRYPOINT$|CLAUDE_CODE_SESSION_ID$|HERD_AGENT_TAG$)/;

interface HerdSample {
  wallMs: number;
  usage: SelfUsage;
  summary: RunSummary;
}

interface ShellSample {
  wallMs: number;
  /** This bench process's CPU while the shell batch ran: essentially the simulate server. */
  serverCpuMs: number;
}

type Side = 'herd' | 'shell' | 'setsid';
const SIDES: Side[] = ['herd', 'shell', 'setsid'];

interface Row {
  n: number;
  herd: HerdSample[];
  shell: ShellSample[];
  setsid: ShellSample[];
}

async function main(): Promise<void> {
  await ensureBuilt();
  const claudeBin = resolveClaudeBin();
  const server = await startSimulateServer({ latencyMs });
  console.log(`spawn bench: ${machineLine()}`);
  console.log(`claude: ${claudeBin}; simulated latency ${latencyMs} ms; ${rounds} round(s) per N, alternating order`);
  const startup = await measureHerdStartup();
  const rows: Row[] = [];
  try {
    for (const n of counts) {
      const row: Row = { n, herd: [], shell: [], setsid: [] };
      for (let round = 0; round < rounds; round++) {
        const order = SIDES.map((_, index) => SIDES[(index + round) % SIDES.length]!);
        for (const side of order) {
          if (side === 'herd') row.herd.push(await runHerd(n, claudeBin));
          else row[side].push(await runShell(n, claudeBin, server, side === 'setsid'));
        }
        const last = (samples: Array<{ wallMs: number }>) => seconds(samples.at(-1)!.wallMs);
        process.stderr.write(
          `N=${n} round ${round + 1} (${order.join(', ')}): herd ${last(row.herd)} s, shell ${last(row.shell)} s, shell+setsid ${last(row.setsid)} s\n`,
        );
      }
      rows.push(row);
    }
  } finally {
    await server.close();
  }
  printResults(rows, startup);
}

interface Startup {
  wallMs: number;
  cpuMs: number;
}

/** herd's fixed cost before any agent exists (`herd --version` loads the whole CLI), beside node's own start. */
async function measureHerdStartup(): Promise<{ herd: Startup; node: Startup }> {
  return { herd: await medianStartup([herdMain, '--version']), node: await medianStartup(['-e', '0']) };
}

async function medianStartup(args: string[]): Promise<Startup> {
  const samples: Startup[] = [];
  for (let index = 0; index < 5; index++) {
    samples.push(
      await withTempDir('herd-bench-startup-', async (dir) => {
        const usageFile = path.join(dir, 'usage.json');
        const run = await runTimed(process.execPath, [...selfUsageFlags(usageFile), ...args]);
        const usage = await readSelfUsage(usageFile);
        return { wallMs: run.wallMs, cpuMs: usage.userMs + usage.systemMs };
      }),
    );
  }
  return { wallMs: median(samples.map((sample) => sample.wallMs)), cpuMs: median(samples.map((sample) => sample.cpuMs)) };
}

async function runHerd(n: number, claudeBin: string): Promise<HerdSample> {
  return withTempDir('herd-bench-spawn-', async (dir) => {
    const usageFile = path.join(dir, 'usage.json');
    const args = [
      ...selfUsageFlags(usageFile),
      herdMain,
      'spawn',
      '-n',
      String(n),
      // herd's defaults, as a user runs it (no -c, no --stagger), unless asked to start all at once as the shell does.
      ...(allAtOnce ? ['-c', String(n), '--stagger', '0'] : []),
      PROMPT,
      '--simulate',
      '--simulate-latency',
      latencyText,
      '--json',
      '--workspace-root',
      path.join(dir, 'runs'),
      '--claude-bin',
      claudeBin,
    ];
    const run = await runTimed(process.execPath, args, { env: process.env });
    if (run.code !== 0) throw new Error(`herd spawn -n ${n} exited ${run.code}:\n${run.stderr.slice(-2000)}`);
    const summary = JSON.parse(run.stdout) as RunSummary;
    return { wallMs: run.wallMs, usage: await readSelfUsage(usageFile), summary };
  });
}

/**
 * The fan-out a user would write by hand; the prompt travels as an argument, never through
 * the shell's parser. With $5 = setsid each agent gets its own session (`-w`: should setsid
 * have to fork, it still waits, so `wait` covers the agent).
 */
const FAN_OUT_SCRIPT = `
bin=$1; prompt=$2; base=$3; n=$4; wrap=$5
for i in $(seq 1 "$n"); do
  ( cd "$base/ws/agent-$i" && export ANTHROPIC_CUSTOM_HEADERS="x-herd-agent: agent-$i" && exec \${wrap:+setsid -w} "$bin" -p --output-format stream-json --verbose -- "$prompt" </dev/null >"$base/out/agent-$i.jsonl" 2>"$base/out/agent-$i.err" ) &
done
wait
`;

async function runShell(n: number, claudeBin: string, server: SimulateServer, ownSessions: boolean): Promise<ShellSample> {
  return withTempDir('herd-bench-shell-', async (base) => {
    const configDir = path.join(base, 'claude-config');
    await mkdir(configDir);
    await mkdir(path.join(base, 'out'));
    for (let index = 1; index <= n; index++) await mkdir(path.join(base, 'ws', `agent-${index}`), { recursive: true });
    const env = { ...inheritedEnv(), ...simulateEnv(server, 'agent'), CLAUDE_CONFIG_DIR: configDir };
    const { value: run, cpuMs } = await measureOwnCpu(() =>
      runTimed('bash', ['-c', FAN_OUT_SCRIPT, 'bash', claudeBin, PROMPT, base, String(n), ownSessions ? 'setsid' : ''], { env }),
    );
    if (run.code !== 0) throw new Error(`shell fan-out exited ${run.code}: ${run.stderr}`);
    await checkShellResults(base, n);
    return { wallMs: run.wallMs, serverCpuMs: cpuMs };
  });
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined && !NOT_INHERITED.test(name)) env[name] = value;
  return env;
}

/** A fast shell run that failed would flatter the baseline: every agent must end with a good result line. */
async function checkShellResults(base: string, n: number): Promise<void> {
  for (let index = 1; index <= n; index++) {
    const lines = (await readFile(path.join(base, 'out', `agent-${index}.jsonl`), 'utf8')).trim().split('\n');
    const result = JSON.parse(lines.at(-1) ?? '{}') as { type?: string; is_error?: boolean };
    if (result.type !== 'result' || result.is_error !== false) {
      const stderr = await readFile(path.join(base, 'out', `agent-${index}.err`), 'utf8');
      throw new Error(`shell agent-${index} did not succeed: ${lines.at(-1) ?? ''} ${stderr}`);
    }
  }
}

function printResults(rows: Row[], startup: { herd: Startup; node: Startup }): void {
  const tableRows = rows.map(({ n, herd, shell, setsid }) => {
    const herdWall = mean(herd.map((sample) => sample.wallMs));
    const shellWall = mean(shell.map((sample) => sample.wallMs));
    const setsidWall = mean(setsid.map((sample) => sample.wallMs));
    const herdCpu = mean(herd.map((sample) => sample.usage.userMs + sample.usage.systemMs));
    const serverCpu = mean([...shell, ...setsid].map((sample) => sample.serverCpuMs));
    const added = herdCpu - serverCpu;
    const ratios = herd.map((sample, index) => sample.wallMs / (setsid[index]?.wallMs ?? Number.NaN));
    return [
      String(n),
      seconds(shellWall),
      seconds(setsidWall),
      seconds(herdWall),
      fixed(herdWall / shellWall, 3),
      fixed(herdWall / setsidWall, 3),
      ratios.map((ratio) => fixed(ratio, 2)).join(' / '),
      seconds(mean(herd.map((sample) => sample.summary.totals.wallMs))),
      fixed(herdCpu / 1000, 2),
      fixed(serverCpu / 1000, 2),
      fixed(added / 1000, 2),
      fixed(added / n, 0),
      fixed(mean(herd.map((sample) => sample.usage.maxRssMb)), 0),
      fixed(mean(herd.map((sample) => sample.summary.totals.speedup)), 2),
      fixed(mean(herd.map((sample) => sample.summary.totals.efficiency)), 2),
    ];
  });
  printTable({
    title: `herd spawn (${allAtOnce ? '-c N --stagger 0' : 'defaults'}) vs plain shell fan-out (same claude commands, simulated latency ${latencyText}, mean of ${rounds} round(s))`,
    header: [
      'N',
      'shell wall s',
      'shell+setsid wall s',
      'herd wall s',
      'herd/shell',
      'herd/shell+setsid',
      'herd/shell+setsid per round',
      'herd internal wall s',
      'herd CPU s',
      'sim server CPU s',
      'herd added CPU s',
      'added CPU ms/agent',
      'herd max RSS MB',
      'speedup',
      'efficiency',
    ],
    rows: tableRows,
    notes: [
      `machine: ${machineLine()}`,
      `sched_autogroup_enabled = ${autogroupSetting()} (1: CPU is shared per session under load, which is what separates the two shell columns).`,
      'wall = spawn of `node dist/cli/main.js spawn ...` (or of bash) to its exit, including node start-up; herd internal wall = totals.wallMs from its --json.',
      'herd CPU = user+sys of the herd node process itself (process.resourceUsage at exit, RUSAGE_SELF: no agent CPU), including its embedded simulate server.',
      "sim server CPU = this bench process's CPU while the shell batch ran (it hosts the simulate server then); herd added CPU = herd CPU - sim server CPU.",
      `herd start-up alone (\`herd --version\`): ${fixed(startup.herd.wallMs, 0)} ms wall, ${fixed(startup.herd.cpuMs, 0)} ms CPU; bare \`node -e 0\`: ${fixed(startup.node.wallMs, 0)} ms wall, ${fixed(startup.node.cpuMs, 0)} ms CPU (medians of 5).`,
      "speedup/efficiency come from herd's --json: sum of agent times / wall, and that / concurrency.",
    ],
  });
}

function autogroupSetting(): string {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

await main();
