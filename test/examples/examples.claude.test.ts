// The examples must run as README says (`npx tsx examples/<name>.ts --simulate`), with the
// real claude binary against the simulate server. simple.ts only: the others take longer
// and use the same API surface.

import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, repoRoot } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  root = await makeTempDir('herd-examples-');
});
afterAll(async () => {
  await root.cleanup();
});

function runExample(name: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', path.join('examples', name), ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('examples', () => {
  it('simple.ts --simulate prints the answer, session id, cost and time, and exits 0', async () => {
    const run = await runExample('simple.ts', ['--simulate-latency', '0'], { HERD_HOME: root.path });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/SIMULATED/);
    expect(run.stdout).toMatch(/answer:\n\[simulated\] \S[^\n]*\n[\s\S]*\(agent solo, turn 1\)/);
    expect(run.stdout).toMatch(/status\s+succeeded/);
    expect(run.stdout).toMatch(/session id\s+[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    const cost = /cost\s+\$(\d+\.\d+)/.exec(run.stdout);
    expect(Number(cost?.[1])).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/time\s+\d+(\.\d)?m?s\n/);
    // The run is recorded under the workspace root (HERD_HOME), not in the repository.
    const runId = /run\s+(\S+)\s+\(npx herd show/.exec(run.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(await readdir(root.path)).toContain(runId);
  });
});
