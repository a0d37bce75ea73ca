// What herd writes to its own stdout and stderr: a reader that goes away (`| head`) does not
// stop the run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { cliMain, fakeClaude, fixture, makeTempDir, runCli } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

describe('herd output', () => {
  it('a closed stdout/stderr pipe does not stop the agents: the run finishes, is recorded and unlocked, exit code by its outcome', async () => {
    const go = path.join(root.path, 'go');
    const child = spawn(process.execPath, [cliMain, 'spawn', 'mode:wait-go', '-n', '2', '--json'], {
      env: { ...process.env, NO_COLOR: '1', HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude, FAKE_CLAUDE_GO: go },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Like `herd ... 2>&1 | head -c 10`: the reader takes the first bytes and goes away.
    await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
    child.stdout.destroy();
    child.stderr.destroy();
    writeFileSync(go, '');
    expect(await exited).toBe(0);
    const runId = readdirSync(root.path).find((name) => name !== 'go')!;
    const summary = JSON.parse(readFileSync(path.join(root.path, runId, 'run.json'), 'utf8')) as RunSummary;
    expect(summary.status).toBe('succeeded');
    expect(summary.agents.map((agent) => agent.result)).toEqual(['went', 'went']);
    expect(existsSync(path.join(root.path, runId, 'run.lock'))).toBe(false);
  });
});

describe('agent text on the terminal', () => {
  /** Anything a terminal would act on: C0 but \n and \t, DEL, C1, bidi controls. */
  const ACTIONABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
  const herd = (args: string[]) => runCli(args, { env: { HERD_HOME: root.path } });

  it('reaches the terminal neutralised (table, progress, show, show --agent) and stays raw in run.json and --json', async () => {
    const run = await herd(['spawn', 'go', '-n', '2', '--command', fixture('hostile-output.mjs')]);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(ACTIONABLE);
    expect(run.stderr).toContain('title␛]0;pwned␇ clear clip␛]52;c;ZWNobyBoaQ==␇ csi8 rtl �gnp.exe');
    const runId = readdirSync(root.path)[0]!;

    for (const args of [['show', runId], ['show', runId, '--agent', 'agent-1'], ['show', runId, '--agent', 'agent-2'], ['runs']]) {
      const shown = await herd(args);
      expect(shown.code, args.join(' ')).toBe(0);
      expect(shown.stdout, args.join(' ')).not.toMatch(ACTIONABLE);
    }
    expect((await herd(['show', runId, '--agent', 'agent-1'])).stdout).toContain('title␛]0;pwned␇');

    const json = await herd(['show', runId, '--agent', 'agent-1', '--json']);
    expect(json.stdout).not.toMatch(ACTIONABLE);
    expect(JSON.parse(json.stdout)[0].result).toContain('title\u001b]0;pwned\u0007 clear\u001b[2J');
    const stored = JSON.parse(readFileSync(path.join(root.path, runId, 'run.json'), 'utf8')) as RunSummary;
    expect(stored.agents[1]!.error!.message).toContain('\u202egnp.exe');
  });
});
