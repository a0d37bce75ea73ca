// What herd writes to its own stdout and stderr: a reader that goes away (`| head`) does not
// stop the run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { cliMain, fakeClaude, makeTempDir } from '../helpers.js';

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
