// `herd report`, `herd show` and `herd bench` as a user runs them: the built CLI as a real
// process, against a real run record (the fixture run, and a fresh run of the fake claude).

import { cp, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeClaude, makeTempDir, repoRoot, runCli } from '../helpers.js';

const FIXTURE_RUN = '20261125-185444-8239';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
  await cp(path.join(repoRoot, 'test/report/fixtures/run-two-turns'), path.join(root.path, FIXTURE_RUN), { recursive: true });
});
afterEach(async () => {
  await root.cleanup();
});

const herd = (args: string[]) => runCli(args, { env: { HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude } });

describe('herd report', () => {
  it('writes report.html into the run home and prints its path alone on stdout', async () => {
    const run = await herd(['report', FIXTURE_RUN]);
    expect(run.code).toBe(0);
    const file = path.join(root.path, FIXTURE_RUN, 'report.html');
    expect(run.stdout).toBe(`${file}\n`);
    const html = await readFile(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<rect class="bar /g)).toHaveLength(10);
    // Prompts and answers are in it: private like the run record.
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('writes where -o says', async () => {
    const out = path.join(root.path, 'elsewhere.html');
    const run = await herd(['report', FIXTURE_RUN, '-o', out]);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(out);
    expect(await readFile(out, 'utf8')).toContain(`herd run <code>${FIXTURE_RUN}</code>`);
    const nowhere = await herd(['report', FIXTURE_RUN, '-o', path.join(root.path, 'no', 'such', 'dir', 'r.html')]);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/^herd: cannot write the report to .*r\.html: .*\n$/);
  });

  it('exit 2 for an unknown or malformed run id', async () => {
    const unknown = await herd(['report', '20990101-000000-0000']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown run id "20990101-000000-0000"/);
    const malformed = await herd(['report', '../etc']);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/run id "..\/etc" is not allowed/);
  });

  it('reports a run just made, turn after turn', async () => {
    const spawned = await herd(['spawn', 'mode:ok hello', '-n', '3', '-c', '2', '--json', '--quiet']);
    const { runId } = JSON.parse(spawned.stdout) as { runId: string };
    expect((await herd(['continue', runId, 'mode:ok again', '--quiet'])).code).toBe(0);
    const run = await herd(['report', runId]);
    expect(run.code).toBe(0);
    const html = await readFile(run.stdout.trim(), 'utf8');
    expect(html.match(/<figure class="turn"/g)).toHaveLength(2);
    expect(html.match(/<rect class="bar status-succeeded"/g)).toHaveLength(6);
  });
});

describe('herd show', () => {
  it('prints a table per turn with the timing account', async () => {
    const run = await herd(['show', FIXTURE_RUN]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^run 20261125-185444-8239 {2}succeeded/);
    expect(run.stdout).toMatch(/^turn 1$/m);
    expect(run.stdout).toMatch(/^turn 2: Now make it rhyme$/m);
    expect(run.stdout).toMatch(/^sleeper +timeout +12\.1s +\$0\.000 +0 +0 +stopped: wall-clock timeout reached$/m);
    expect(run.stdout).toMatch(/^wall {7}16\.0s {2}\(sum of agent time 27\.5s, 11\.5s saved\)$/m);
    expect(run.stdout).toMatch(/^speedup {4}1\.72x at concurrency 2/m);
    expect(run.stdout).toMatch(/^run total {2}\$0\.172 over 2 turns, 26\.7s of wall time$/m);
    expect(run.stdout).toMatch(
      /^full answers: node dist\/cli\/main.js show 20261125-185444-8239 --agent poet .* node dist\/cli\/main.js report 20261125-185444-8239$/m,
    );
  });

  it("--agent prints one agent's full answers, every turn", async () => {
    const run = await herd(['show', FIXTURE_RUN, '--agent', 'chef']);
    expect(run.code).toBe(0);
    expect(run.stdout.match(/^--- chef, turn \d/gm)).toEqual(['--- chef, turn 1', '--- chef, turn 2']);
    expect(run.stdout).toContain('[simulated] agent chef (turn 1)');
    const unknown = await herd(['show', FIXTURE_RUN, '--agent', 'nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/has no agent "nobody"; its agents are: poet, builder, flaky, sleeper, chef/);
  });
});

describe('herd bench', () => {
  it('measures sequential, parallel and plain fan-out side by side and prints the account', async () => {
    // The fake claude answers at once: this checks the plumbing and the arithmetic, not the machine.
    const run = await herd(['bench', '-n', '3', '--simulate-latency', '100ms', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown> & {
      sequential: { wallMs: number; succeeded: number };
      parallel: { wallMs: number; succeeded: number };
      plain: { wallMs: number; succeeded: number };
      speedup: number;
      efficiency: number;
      overheadPerAgentMs: number;
    };
    expect(result).toMatchObject({ count: 3, latencyMs: 100, simulated: true, rounds: 1 });
    for (const phase of [result.sequential, result.parallel, result.plain]) expect(phase).toMatchObject({ succeeded: 3, wallMs: expect.any(Number) });
    // Wall times in whole ms, ratios to 2 decimals.
    expect(result.speedup).toBeCloseTo(result.sequential.wallMs / result.parallel.wallMs, 2);
    expect(result.efficiency).toBeCloseTo(result.sequential.wallMs / result.parallel.wallMs / 3, 2);
    expect(Math.abs(result.overheadPerAgentMs - (result.parallel.wallMs - result.plain.wallMs) / 3)).toBeLessThanOrEqual(0.5);
    expect(run.stderr).toMatch(/warm-up\.\.\.\n {2}plain fan-out\.\.\.\n {2}parallel\.\.\.\n {2}sequential\.\.\./);

    const text = await herd(['bench', '-n', '2', '--simulate-latency', '100ms']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^sequential +herd, 1 at a time +\d/m);
    expect(text.stdout).toMatch(/^speedup +\d+\.\d\dx {2}\(sequential wall \/ parallel wall\)$/m);
    expect(text.stdout).toMatch(/^overhead +[+−]\S+ per agent/m);
  });

  it('exit 2 for bad numbers, before anything runs', async () => {
    const run = await herd(['bench', '-n', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/-n\/--count: expected a whole number from 1 to 100, got "0"/);
    expect((await herd(['bench', '--simulate-latency', 'soon'])).stderr).toMatch(/--simulate-latency: expected a duration/);
  });
});
