// The real codex and gemini CLIs (from node_modules, as `npm install` gives them) against herd's
// --simulate stand-in: spawn and continue, a tool call writing a file, an injected 429 retried
// and a 400 not, a timeout that ends the whole process tree, and a cross-vendor workflow judged
// by a fourth agent. No mocked processes; waits are on files and exits, never on sleeps.

import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { makeTempDir, repoRoot, runCli } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeTempDir('herd-vendors-');
});
afterAll(async () => {
  await root.cleanup();
});

/** Pids of live processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /\) (\S) /.exec(readFileSync(`/proc/${entry}/stat`, 'utf8'))?.[1];
      if (cmdline.includes(marker) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

interface Vendor {
  kind: 'codex' | 'gemini';
  /** `[sim:status 429 x<n>]` that outlasts the CLI's own retries under --simulate (codex retries once itself, gemini not at all). */
  rateLimitTimes: number;
  /**
   * Long enough for a start under load, shorter than codex's longest wait for a running command
   * (30 s, after which its turn would go on without it); the sleep it cuts short is 15 minutes.
   */
  timeoutMs: number;
}

const VENDORS: Vendor[] = [
  { kind: 'codex', rateLimitTimes: 2, timeoutMs: 20_000 },
  { kind: 'gemini', rateLimitTimes: 1, timeoutMs: 45_000 },
];

describe.each(VENDORS)('$kind on --simulate', ({ kind, rateLimitTimes, timeoutMs }) => {
  let first: RunSummary;

  it(`herd spawn -n 3 --agent ${kind}: three sessions in three workspaces, tokens, an estimated cost, the CLI version`, async () => {
    const run = await runCli(['spawn', '-n', '3', '--agent', kind, 'Write a haiku about rivers', '--simulate', '--simulate-latency', '0s', '--json'], {
      env: { HERD_HOME: root.path },
    });
    expect(run.code, run.stderr).toBe(0);
    first = JSON.parse(run.stdout) as RunSummary;
    expect(first.agents).toHaveLength(3);
    for (const agent of first.agents) {
      expect(agent.status).toBe('succeeded');
      expect(agent.result).toMatch(/^\[simulated\] /);
      expect(agent.result).toContain(`(agent ${agent.id}, turn 1)`);
      expect(agent.usage.inputTokens).toBeGreaterThan(0);
      expect(agent.usage.outputTokens).toBeGreaterThan(0);
      expect(agent.costUsd).toBeGreaterThan(0);
      expect(agent.costEstimated).toBe(true);
    }
    expect(new Set(first.agents.map((agent) => agent.sessionId)).size).toBe(3);
    expect(new Set(first.agents.map((agent) => agent.workspace)).size).toBe(3);
    expect(first.agentVersions?.[kind]).toMatch(/^\d+\.\d+\.\d+$/);
    // Each agent's CLI configuration is its own, private, and outside its workspace.
    for (const agent of first.agents) {
      const home = path.join(root.path, first.runId, '.agent-homes', agent.id);
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      expect(await readdir(agent.workspace)).toEqual([]);
    }
  });

  it(`herd continue: each ${kind} session resumes in its own workspace and remembers turn 1; usage is the turn's own`, async () => {
    const run = await runCli(['continue', first.runId, 'Now make it about the sea', '--json', '-q'], { env: { HERD_HOME: root.path } });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    for (const [index, agent] of summary.turns[1]!.agents.entries()) {
      const before = first.agents[index]!;
      expect(agent.status).toBe('succeeded');
      expect(agent.sessionId).toBe(before.sessionId);
      expect(agent.workspace).toBe(before.workspace);
      expect(agent.result).toContain('turn 2; earlier you asked: "Write a haiku about rivers"');
      // codex reports a running sum per thread; herd records what this turn added (not twice turn 1).
      expect(agent.usage.inputTokens).toBeLessThan(before.usage.inputTokens * 1.5);
    }
  });

  it(`a ${kind} tool call writes a file in its own workspace only`, async () => {
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 } });
    const summary = await supervisor.run([
      { id: 'writer', agent: kind, prompt: 'Save your notes [sim:write notes.txt]', permissionMode: 'acceptEdits' },
      { id: 'reader', agent: kind, prompt: 'Just answer' },
    ]);
    const [writer, reader] = summary.agents;
    expect(writer!.status, writer!.error?.message).toBe('succeeded');
    expect(await readFile(path.join(writer!.workspace, 'notes.txt'), 'utf8')).toBe('written by writer\n');
    expect(writer!.result).toMatch(/Tool results: \w+ ok/);
    expect(reader!.status).toBe('succeeded');
    expect(await readdir(reader!.workspace)).toEqual([]);
  });

  it(`a prompt too long for an argument reaches ${kind} on stdin`, async () => {
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 } });
    const prompt = `Write a haiku about rivers. ${'x'.repeat(110_000)}`;
    const summary = await supervisor.run([{ id: 'long', agent: kind, prompt }]);
    const long = summary.agents[0]!;
    expect(long.status, long.error?.message).toBe('succeeded');
    expect(long.result).toContain('(agent long, turn 1)');
    expect(long.usage.inputTokens).toBeGreaterThan(110_000 / 4);
  });

  it(`an injected 429 is retried by herd and succeeds; a 400 is not retried`, async () => {
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 }, retries: 2, retryBaseDelayMs: 10 });
    const summary = await supervisor.run([
      { id: 'busy', agent: kind, prompt: `Answer when you can [sim:status 429 x${rateLimitTimes}]` },
      { id: 'bad', agent: kind, prompt: 'Answer this [sim:status 400]' },
    ]);
    const [busy, bad] = summary.agents;
    expect(busy!.status, busy!.error?.message).toBe('succeeded');
    expect(busy!.attempts).toBe(2);
    expect(bad!.status).toBe('failed');
    expect(bad!.attempts).toBe(1);
    expect(bad!.error).toMatchObject({ reason: 'api', apiStatus: 400 });
  });

  it(`a timeout ends the ${kind} process and the command its tool started`, async () => {
    const marker = `herd-tree-${kind}-${randomBytes(4).toString('hex')}`;
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 }, timeoutMs, killGraceMs: 2_000 });
    const task: AgentTask = {
      id: 'sleeper',
      agent: kind,
      prompt: `Wait [sim:bash echo started > started.txt; sleep 900 # ${marker}]`,
      permissionMode: 'bypassPermissions',
    };
    const summary = await supervisor.run([task]);
    const sleeper = summary.agents[0]!;
    expect(sleeper.status).toBe('timeout');
    // The tool's command did start (its first step wrote this file) and is gone with the agent.
    expect(await readFile(path.join(sleeper.workspace, 'started.txt'), 'utf8')).toBe('started\n');
    expect(processesWith(marker)).toEqual([]);
  });
});

describe('codex structured output', () => {
  it('jsonSchema goes to codex as --output-schema and the answer comes back as structuredOutput', async () => {
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 } });
    const jsonSchema = { type: 'object', properties: { winner: { type: 'string', enum: ['a', 'b'] } }, required: ['winner'], additionalProperties: false };
    const summary = await supervisor.run([{ id: 'picker', agent: 'codex', prompt: 'Pick one [sim:winner b]', jsonSchema }]);
    expect(summary.agents[0]).toMatchObject({ status: 'succeeded', structuredOutput: { winner: 'b' } });
  });
});

describe('cross-vendor workflow', () => {
  it('examples/workflows/cross-vendor.yaml: claude, codex and gemini on one task, judged by a fourth agent', async () => {
    const file = path.join(repoRoot, 'examples', 'workflows', 'cross-vendor.yaml');
    const run = await runCli(['run', file, '--simulate', '--simulate-latency', '0s', '--json', '-q'], { env: { HERD_HOME: root.path } });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((agent) => [agent.id, agent.status])).toEqual([
      ['solve-1', 'succeeded'],
      ['solve-2', 'succeeded'],
      ['solve-3', 'succeeded'],
      ['pick', 'succeeded'],
    ]);
    expect(summary.tasks.map((task) => task.agent ?? 'claude')).toEqual(['claude', 'codex', 'gemini', 'claude']);
    expect(Object.keys(summary.agentVersions ?? {}).sort()).toEqual(['claude', 'codex', 'gemini']);
    const judgement = summary.workflow!.judgements[0]!;
    expect(judgement.candidates).toEqual(['solve-1', 'solve-2', 'solve-3']);
    expect(judgement.candidates).toContain(judgement.winner);
    // Only claude reports its own cost; the others are priced by herd.
    expect(summary.agents.map((agent) => agent.costEstimated === true)).toEqual([false, true, true, false]);
  });
});

describe('a missing vendor CLI', () => {
  it('is a usage error naming its flag, before anything is created', async () => {
    const empty = await makeTempDir();
    try {
      const run = await runCli(['spawn', '--agent', 'gemini', 'hi', '--simulate', '--gemini-bin', '/nonexistent/gemini'], { env: { HERD_HOME: empty.path } });
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe('herd: --gemini-bin: "/nonexistent/gemini" is not an executable file');
      expect(await readdir(empty.path)).toEqual([]);
    } finally {
      await empty.cleanup();
    }
  });
});
