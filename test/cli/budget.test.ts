// The spending cap on the command line (the built herd, fake claudes that each spend $0.15 and
// then wait to be stopped): what it prints and its exit code, the task file's maxCostUsd, the
// resume that goes on, and bad --max-cost / --prices values refused before anything starts.

import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, makeTempDir, runCli } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir('herd-budget-cli-');
});
afterEach(async () => {
  await root.cleanup();
});

const herd = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '--claude-bin', fakeClaude], { env: { HERD_HOME: path.join(root.path, 'runs'), ...env } });

describe('herd --max-cost', () => {
  it('stops at the cap, says what was spent and how to go on (exit 1); resume with more finishes them (exit 0)', async () => {
    const run = await herd(['spawn', '-n', '3', 'mode:spend', '--max-cost', '0.4', '--warn-cost', '0.2', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.agents.map((agent) => agent.status)).toEqual(['budget', 'budget', 'budget']);
    expect(run.stderr).toMatch(/warning: the run has spent \$0\.\d+, past the warning level of \$0\.200/);
    expect(run.stderr).toMatch(/spending cap: the run reached its spending cap: \$0\.451 of \$0\.400/);
    expect(run.stderr).toContain('agents     0 succeeded, 3 not (3 stopped at the spending cap)');
    expect(run.stderr).toContain(`run ${summary.runId} reached its spending cap: $0.451 spent of its $0.400 cap; 3 agents were stopped or not started.`);
    // Hints name herd the way it was started: these tests run node dist/cli/main.js.
    expect(run.stderr).toContain(`finish them with:  node dist/cli/main.js resume ${summary.runId} --max-cost <more than $0.400>`);

    const resumed = await herd(['resume', summary.runId, '--max-cost', '1', '--json', '-q']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse(resumed.stdout) as RunSummary;
    expect(after.agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(after.budget).toEqual({ maxCostUsd: 1, warnCostUsd: 0.2 });
  });

  it("takes the cap from a task file's maxCostUsd (the flag wins over it)", async () => {
    const file = path.join(root.path, 'flow.yaml');
    await writeFile(
      file,
      'maxCostUsd: 0.0015\ntasks:\n  - { id: a, prompt: "mode:ok a" }\n  - { id: b, prompt: "mode:ok b", dependsOn: [a] }\n  - { id: c, prompt: "mode:ok c", dependsOn: [b] }\n',
    );
    // Each answer reports $0.001: a and b spend $0.002, so c never starts.
    const capped = await herd(['run', file, '--json', '-q']);
    expect(capped.code, capped.stderr).toBe(1);
    expect((JSON.parse(capped.stdout) as RunSummary).agents.map((agent) => agent.status)).toEqual(['succeeded', 'succeeded', 'budget']);
    const flag = await herd(['run', file, '--max-cost', '1', '--json', '-q']);
    expect(flag.code, flag.stderr).toBe(0);
    // The same at the top of a spawn task file ({defaults, tasks}).
    const tasksFile = path.join(root.path, 'tasks.yaml');
    await writeFile(tasksFile, 'maxCostUsd: 0.3\ntasks:\n  - { id: a, prompt: "mode:spend" }\n  - { id: b, prompt: "mode:spend" }\n');
    const spawned = await herd(['spawn', '--tasks', tasksFile, '--json', '-q']);
    expect(spawned.code, spawned.stderr).toBe(1);
    expect(JSON.parse(spawned.stdout) as RunSummary).toMatchObject({ budget: { maxCostUsd: 0.3 }, agents: [{ status: 'budget' }, { status: 'budget' }] });
  });

  it('refuses a bad amount or price file in one line before anything starts (exit 2)', async () => {
    const bad = await herd(['spawn', 'mode:ok', '--max-cost', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('herd: --max-cost: expected a positive number, got "lots"\n');
    const prices = path.join(root.path, 'prices.json');
    await writeFile(prices, '{"claude-opus-4-8": {"input": 5}}');
    const badPrices = await herd(['spawn', 'mode:ok', '--max-cost', '1'], { HERD_PRICES: prices });
    expect(badPrices.code).toBe(2);
    expect(badPrices.stderr).toBe(
      `herd: HERD_PRICES: ${prices}: "claude-opus-4-8".output must be a number of USD per million tokens (0 or more), got undefined\n`,
    );
    await expect(readdir(path.join(root.path, 'runs'))).rejects.toThrow(/ENOENT/);
  });
});
