// What one turn of each agent CLI costs here: claude, codex and gemini, each started exactly as
// herd starts it (the adapters' argv and private homes) against the stand-in API with no
// latency, one at a time, measured by /usr/bin/time: wall, CPU (user + sys) and peak RSS.
// A new turn and a resumed one are measured separately (a resume reloads the session).
//
//   npx tsx bench/vendors.ts [--runs 5]

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AgentAdapter } from '../src/agents/adapter.js';
import { resolveAgentBin, type VendorKind } from '../src/agents/agent-bin.js';
import { createClaudeAdapter } from '../src/agents/claude.js';
import { createCodexAdapter } from '../src/agents/codex.js';
import { createGeminiAdapter } from '../src/agents/gemini.js';
import { simulateEnv, startSimulateServer, type SimulateServer } from '../src/simulate/server.js';
import { flagValue } from './lib.js';

interface Sample {
  wallS: number;
  cpuS: number;
  rssMb: number;
  session?: string;
}

const runs = Number(flagValue('--runs') ?? 5);

function adapterFor(kind: VendorKind): AgentAdapter {
  const bin = resolveAgentBin(kind);
  if (kind === 'codex') return createCodexAdapter(bin.file, bin.version);
  if (kind === 'gemini') return createGeminiAdapter(bin.file, bin.version);
  return createClaudeAdapter(bin.file);
}

async function envFor(kind: VendorKind, adapter: AgentAdapter, server: SimulateServer, home: string): Promise<Record<string, string>> {
  const base = { PATH: process.env.PATH ?? '', HOME: home, HERD_AGENT_ID: 'bench' };
  if (kind === 'claude') return { ...base, ...simulateEnv(server, 'bench'), CLAUDE_CONFIG_DIR: path.join(home, '.claude-config') };
  const prepared = await adapter.prepare!({ task: { id: 'bench', prompt: 'x', agent: kind }, dir: home, simulateUrl: server.url, inheritedEnv: {} });
  return { ...base, ...prepared };
}

function timeOne(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', file, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      if (!match) return reject(new Error(`no timing from ${file}: ${stderr.slice(-300)}`));
      const session = /"(?:session_id|thread_id)":"([^"]+)"/.exec(stdout)?.[1];
      resolve({ wallS: Number(match[1]), cpuS: Number(match[2]) + Number(match[3]), rssMb: Number(match[4]) / 1024, ...(session ? { session } : {}) });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(kind: VendorKind): Promise<void> {
  const adapter = adapterFor(kind);
  const root = await mkdtemp(path.join(os.tmpdir(), `herd-bench-${kind}-`));
  const server = await startSimulateServer({ latencyMs: 0 });
  try {
    const fresh: Sample[] = [];
    const resumed: Sample[] = [];
    for (let run = 0; run < runs; run += 1) {
      const home = path.join(root, `home-${run}`);
      const workspace = path.join(root, `work-${run}`);
      await mkdir(home, { recursive: true, mode: 0o700 });
      await mkdir(workspace);
      const env = await envFor(kind, adapter, server, home);
      const task = { id: 'bench', prompt: 'Write a haiku about rivers', agent: kind };
      const first = adapter.command(task, { env, privateDir: home });
      const sample = await timeOne(first.file, first.args, workspace, { ...env, ...(first.env as Record<string, string>) });
      fresh.push(sample);
      const again = adapter.command(
        { ...task, prompt: 'Now about the sea' },
        { env, privateDir: home, ...(sample.session ? { resumeSessionId: sample.session } : {}) },
      );
      resumed.push(await timeOne(again.file, again.args, workspace, { ...env, ...(again.env as Record<string, string>) }));
    }
    for (const [label, samples] of [
      ['new', fresh],
      ['resumed', resumed],
    ] as const) {
      console.log(
        `${kind.padEnd(7)} ${label.padEnd(8)} wall ${median(samples.map((s) => s.wallS)).toFixed(2)} s  cpu ${median(samples.map((s) => s.cpuS)).toFixed(2)} s  rss ${Math.round(median(samples.map((s) => s.rssMb)))} MB  (median of ${samples.length})`,
      );
    }
  } finally {
    await server.close();
    await rm(root, { recursive: true, force: true });
  }
}

console.log(
  `load average now: ${os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(' ')} on ${os.availableParallelism()} cores`,
);
for (const kind of ['claude', 'codex', 'gemini'] as const) await measure(kind);
