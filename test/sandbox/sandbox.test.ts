// The sandbox with command agents (cheap, so most cases are here): one script tries to write
// to $HOME, into another agent's workspace and into the run home, to read another agent's
// workspace, and to leave a daemon behind that even herd's tag sweep cannot find. With
// --sandbox every attempt fails and nothing is left running; without it the same script
// succeeds, so the test tells the two apart. Also: no network with `network: false`, the task
// file's `sandbox: true`, and the one-line refusal when bwrap is missing.

import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { probeSandbox } from '../../src/sandbox/probe.js';
import { readEvents } from '../../src/store/run-store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask, RunSummary } from '../../src/types.js';
import { makeTempDir, runCli } from '../helpers.js';

const bwrapProblem = await probeSandbox(process.env.HERD_BWRAP || 'bwrap');
if (bwrapProblem) console.warn(`test/sandbox: skipped: install bubblewrap (${bwrapProblem})`);
const withBwrap = it.skipIf(bwrapProblem !== undefined);

let root: { path: string; cleanup: () => Promise<void> };
/** $HOME of the agents: outside /tmp (the sandbox's /tmp is private) and outside the workspace root. */
let home: string;
beforeEach(async () => {
  root = await makeTempDir();
  home = await mkdtemp(path.join(os.homedir(), '.herd-sandbox-test-'));
});
afterEach(async () => {
  await root.cleanup();
  await rm(home, { recursive: true, force: true });
});

/** Live processes whose command line holds `marker`. */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) pids.push(Number(entry));
    } catch {
      // Gone already.
    }
  }
  return pids;
}

/**
 * Each attempt prints "<name>: done" or "<name>: refused". The daemon leaves herd's tag behind
 * (env -u) and its process group (setsid), and says so in a file before the script goes on.
 */
function escapeScript(nonce: string): string {
  return `
attempt() { if sh -c "$2" >/dev/null 2>&1; then echo "$1: done"; else echo "$1: refused"; fi; }
attempt home 'echo intruder > "$HOME/intruder.txt"'
attempt other 'echo intruder > ../victim/intruder.txt'
attempt record 'echo intruder >> ../events.jsonl'
attempt plant 'echo intruder > ../planted.txt'
attempt read 'cat ../victim/secret.txt'
echo "secret: $(cat ../victim/secret.txt 2>/dev/null)"
attempt own 'echo mine > mine.txt'
env -u HERD_AGENT_TAG setsid sh -c 'echo up > daemon.ready; exec sleep 3000.${nonce}' > /dev/null 2>&1 < /dev/null &
while [ ! -s daemon.ready ]; do sleep 0.01; done
echo "daemon: started"
`;
}

function tasks(nonce: string): AgentTask[] {
  return [
    { id: 'escaper', prompt: 'x', agent: 'command', command: ['bash', '-c', escapeScript(nonce)], promptArg: false },
    { id: 'victim', prompt: 'y', agent: 'command', command: ['true'], files: { 'secret.txt': 'top secret' } },
  ];
}

async function runEscaper(sandbox: boolean): Promise<{ summary: RunSummary; said: string; nonce: string }> {
  const nonce = String(process.hrtime.bigint() % 1_000_000_000n);
  const supervisor = new Supervisor({ workspaceRoot: root.path, sandbox, inheritedEnv: { ...process.env, HOME: home } });
  const summary = await supervisor.run(tasks(nonce));
  return { summary, said: summary.agents[0]!.result ?? '', nonce };
}

describe('--sandbox with command agents', () => {
  withBwrap('every escape attempt fails and nothing is left running; the agent still works in its own workspace', async () => {
    const { summary, said, nonce } = await runEscaper(true);
    expect(summary.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded']);
    for (const name of ['home', 'other', 'record', 'plant', 'read']) expect(said).toContain(`${name}: refused`);
    expect(said).toContain('own: done');
    expect(said).toContain('daemon: started');
    expect(said).not.toContain('top secret');
    const [escaper, victim] = summary.agents;
    expect(await readdir(home)).toEqual([]);
    expect(await readdir(victim!.workspace)).toEqual(['secret.txt']);
    expect((await readdir(path.join(root.path, summary.runId))).sort()).toEqual(['escaper', 'events.jsonl', 'run.json', 'victim']);
    expect((await readEvents(path.join(root.path, summary.runId))).skippedLines).toBe(0);
    expect(await readFile(path.join(escaper!.workspace, 'mine.txt'), 'utf8')).toBe('mine\n');
    // Its PID namespace ended with it: the daemon too.
    expect(processesWith(`3000.${nonce}`)).toEqual([]);
  });

  withBwrap('without --sandbox the same script gets everywhere (the test above is not vacuous)', async () => {
    const { summary, said, nonce } = await runEscaper(false);
    try {
      for (const name of ['home', 'other', 'record', 'plant', 'read']) expect(said).toContain(`${name}: done`);
      expect(said).toContain('secret: top secret');
      expect(await readdir(home)).toEqual(['intruder.txt']);
      expect((await readdir(summary.agents[1]!.workspace)).sort()).toEqual(['intruder.txt', 'secret.txt']);
      expect(await readdir(path.join(root.path, summary.runId))).toContain('planted.txt');
      expect((await readEvents(path.join(root.path, summary.runId))).skippedLines).toBe(1);
      expect(processesWith(`3000.${nonce}`)).toHaveLength(1);
    } finally {
      for (const pid of processesWith(`3000.${nonce}`)) process.kill(pid, 'SIGKILL');
    }
  });

  withBwrap('runs a program installed under /tmp (hidden by the private /tmp otherwise), read-only', async () => {
    // root.path is under /tmp: a program there must still be found inside the sandbox.
    const script = path.join(root.path, 'tool.sh');
    await writeFile(script, `#!/bin/sh\necho tool ran\ntouch "${root.path}/written" 2>/dev/null && echo wrote || echo read-only\n`, { mode: 0o755 });
    const summary = await new Supervisor({ workspaceRoot: path.join(root.path, 'runs'), sandbox: true }).run([
      { id: 'tool', prompt: 'x', agent: 'command', command: [script], promptArg: false },
    ]);
    expect(summary.agents[0]).toMatchObject({ status: 'succeeded', result: 'tool ran\nread-only' });
  });

  describe('network', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((socket) => {
        // The agent hangs up without reading.
        socket.on('error', () => undefined);
        socket.end('hello\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    const connect = (): AgentTask => ({
      id: 'net',
      prompt: 'x',
      agent: 'command',
      command: ['bash', '-c', `if exec 3<>/dev/tcp/127.0.0.1/${port}; then echo connected; else echo no network; fi`],
      promptArg: false,
    });

    withBwrap('is kept by default and taken away from a command agent with network: false', async () => {
      const kept = await new Supervisor({ workspaceRoot: root.path, sandbox: true }).run([connect()]);
      expect(kept.agents[0]!.result).toBe('connected');
      const cut = await new Supervisor({ workspaceRoot: root.path, sandbox: { network: false } }).run([connect()]);
      expect(cut.agents[0]!.result).toBe('no network');
      expect(cut.tasks[0]!.sandbox).toEqual({ network: false });
    });
  });

  withBwrap("a task file's sandbox: true sandboxes that task only, and the record keeps it for continue", async () => {
    const file = path.join(root.path, 'tasks.yaml');
    const writeOut = (id: string) =>
      `  - id: ${id}\n    prompt: x\n    agent: command\n    promptArg: false\n    command: [bash, -c, "echo x > ../${id}.txt && echo wrote || echo refused"]\n`;
    await import('node:fs/promises').then(({ writeFile }) => writeFile(file, `tasks:\n${writeOut('boxed')}    sandbox: true\n${writeOut('free')}`));
    const run = await runCli(['spawn', '--tasks', file, '--json', '-q'], { env: { HERD_HOME: root.path } });
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((agent) => [agent.id, agent.result])).toEqual([
      ['boxed', 'refused'],
      ['free', 'wrote'],
    ]);
    const again = await runCli(['continue', summary.runId, 'again', '--json', '-q'], { env: { HERD_HOME: root.path } });
    expect((JSON.parse(again.stdout) as RunSummary).turns[1]!.agents.map((agent) => agent.result)).toEqual(['refused', 'wrote']);
  });

  it('refuses in one line, before anything is created, when bwrap is missing (exit 2)', async () => {
    const run = await runCli(['spawn', '--sandbox', '--command', 'true', '--', 'x'], { env: { HERD_HOME: root.path, HERD_BWRAP: '/nonexistent/bwrap' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^herd: --sandbox needs bubblewrap, and "\/nonexistent\/bwrap" was not found: install it/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(await readdir(root.path)).toEqual([]);
    const stray = await runCli(['spawn', '--sandbox-network', 'off', '--command', 'true', '--', 'x'], { env: { HERD_HOME: root.path } });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/^herd: --sandbox-network applies with --sandbox only/);
  });
});
