// The sandbox with the real claude on the stand-in API: its Bash tool ([sim:bash]) tries to
// write to $HOME, into another agent's workspace and into the run record, to read the other
// agent's workspace, and to leave a daemon behind. Under --sandbox every attempt fails, nothing
// is left running, and the agent still works and continues its session; without --sandbox the
// same agent gets everywhere. (The other agent is a cheap command agent: only its files matter.)

import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../src/sandbox/probe.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { makeTempDir } from '../helpers.js';

const bwrapProblem = await probeSandbox(process.env.HERD_BWRAP || 'bwrap');
if (bwrapProblem) console.warn(`test/sandbox (claude): skipped: install bubblewrap (${bwrapProblem})`);
const withBwrap = it.skipIf(bwrapProblem !== undefined);

let root: { path: string; cleanup: () => Promise<void> };
let home: string;
beforeEach(async () => {
  root = await makeTempDir();
  home = await mkdtemp(path.join(os.homedir(), '.herd-sandbox-test-'));
});
afterEach(async () => {
  await root.cleanup();
  await rm(home, { recursive: true, force: true });
});

function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** One Bash tool call per attempt; a marker's command ends at its first "]", so none uses one. */
function tasks(nonce: string): AgentTask[] {
  const attempts = [
    'echo intruder > $HOME/intruder.txt',
    'echo intruder > ../victim/intruder.txt',
    'echo intruder >> ../run.json',
    'cat ../victim/secret.txt',
    `env -u HERD_AGENT_TAG setsid sh -c 'echo up > daemon.ready; exec sleep 3000.${nonce}' > /dev/null 2>&1 < /dev/null & until test -s daemon.ready; do sleep 0.01; done; echo daemon up`,
    'echo mine > mine.txt',
  ];
  return [
    { id: 'escaper', prompt: `Try everything ${attempts.map((command) => `[sim:bash ${command}]`).join(' ')}`, allowedTools: ['Bash'] },
    { id: 'victim', prompt: 'y', agent: 'command', command: ['true'], files: { 'secret.txt': 'top secret' } },
  ];
}

/** "Tool results: Bash failed: ...; Bash ok: ..." of the simulated answer, one outcome per attempt. */
function outcomes(summary: RunSummary): string[] {
  const line = summary.agents[0]!.result?.split('\n').find((candidate) => candidate.startsWith('Tool results: ')) ?? '';
  return line
    .slice('Tool results: '.length)
    .split('; Bash ')
    .map((part) => part.replace(/^Bash /, '').split(':')[0]!);
}

describe('--sandbox with the real claude', () => {
  withBwrap('its Bash tool cannot leave its workspace or leave a daemon behind; it still continues its session', async () => {
    const nonce = String(process.hrtime.bigint() % 1_000_000_000n);
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 }, sandbox: true, inheritedEnv: { ...process.env, HOME: home } });
    const summary = await supervisor.run(tasks(nonce));
    expect(summary.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);
    // Each write fails, the read finds nothing, the daemon starts (and dies with the sandbox), the agent's own write works.
    expect(outcomes(summary)).toEqual(['failed', 'failed', 'failed', 'failed', 'ok', 'ok']);
    expect(summary.agents[0]!.result).not.toContain('top secret');
    expect(await readdir(home)).toEqual([]);
    expect(await readdir(summary.agents[1]!.workspace)).toEqual(['secret.txt']);
    expect(JSON.parse(await readFile(path.join(root.path, summary.runId, 'run.json'), 'utf8'))).toMatchObject({ runId: summary.runId });
    expect(await readFile(path.join(summary.agents[0]!.workspace, 'mine.txt'), 'utf8')).toBe('mine\n');
    expect(processesWith(`3000.${nonce}`)).toEqual([]);
    // Its session was kept where claude looks for it: the next turn, sandboxed again, goes on from it.
    const next = await supervisor.continue(summary.runId, 'And now?', { agents: ['escaper'] });
    expect(next.turns[1]!.agents[0]).toMatchObject({ status: 'succeeded', sessionId: summary.agents[0]!.sessionId });
    expect(next.turns[1]!.agents[0]!.result).toContain('turn 2; earlier you asked: "Try everything"');
  });

  withBwrap('without --sandbox the same agent gets everywhere (the test above is not vacuous)', async () => {
    const nonce = String(process.hrtime.bigint() % 1_000_000_000n);
    const summary = await new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 }, inheritedEnv: { ...process.env, HOME: home } }).run(
      tasks(nonce),
    );
    try {
      expect(outcomes(summary)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
      expect(summary.agents[0]!.result).toContain('top secret');
      expect(await readdir(home)).toEqual(['intruder.txt']);
      expect((await readdir(summary.agents[1]!.workspace)).sort()).toEqual(['intruder.txt', 'secret.txt']);
      expect(processesWith(`3000.${nonce}`)).toHaveLength(1);
    } finally {
      for (const pid of processesWith(`3000.${nonce}`)) process.kill(pid, 'SIGKILL');
    }
  });
});
