import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { medianPhase, runBench } from '../../src/bench/bench.js';
import { fakeClaude, makeTempDir } from '../helpers.js';
import { renderBench } from '../../src/cli/bench-command.js';

describe('bench arithmetic and account', () => {
  it('takes the middle run (the lower middle of an even count)', () => {
    const runs = [30, 10, 20].map((wallMs) => ({ wallMs, succeeded: 5 }));
    expect(medianPhase(runs).wallMs).toBe(20);
    expect(medianPhase(runs.slice(0, 2)).wallMs).toBe(10);
    expect(() => medianPhase([])).toThrow(/no runs/);
  });

  it('prints the three walls, speedup, efficiency and a signed overhead', () => {
    const text = renderBench({
      count: 5,
      latencyMs: 2000,
      simulated: true,
      cpus: 2,
      rounds: 3,
      sequential: { wallMs: 27_600, succeeded: 5 },
      parallel: { wallMs: 13_000, succeeded: 5 },
      plain: { wallMs: 13_400, succeeded: 5 },
      samples: { parallelMs: [13_000], plainMs: [13_400] },
      speedup: 2.12,
      efficiency: 0.42,
      overheadPerAgentMs: -80,
    });
    expect(text).toContain(
      '5 agents, simulated API, 2.0s latency, 2 CPUs; measured in this run after one unmeasured warm-up start; parallel and plain are medians of 3 rounds',
    );
    expect(text).toMatch(/^sequential +herd, 1 at a time +27\.6s +5\/5$/m);
    expect(text).toMatch(/^plain fan-out +5 child processes, no herd +13\.4s +5\/5$/m);
    expect(text).toContain('speedup      2.12x');
    expect(text).toContain('efficiency   42%');
    expect(text).toContain('overhead     −80ms per agent');
  });
});

describe('runBench', () => {
  it('works in a directory of its own inside --workspace-root and leaves everything else there alone', async () => {
    const root = await makeTempDir();
    try {
      await mkdir(path.join(root.path, 'earlier-run'));
      await writeFile(path.join(root.path, 'earlier-run', 'run.json'), '{}');
      await writeFile(path.join(root.path, 'notes.txt'), 'mine');
      const result = await runBench({ count: 2, latencyMs: 0, simulate: true, prompt: 'mode:ok bench', claudeBin: fakeClaude, workspaceRoot: root.path });
      expect([result.sequential.succeeded, result.parallel.succeeded, result.plain.succeeded]).toEqual([2, 2, 2]);
      expect((await readdir(root.path)).sort()).toEqual(['earlier-run', 'notes.txt']);
      expect(await readdir(path.join(root.path, 'earlier-run'))).toEqual(['run.json']);
    } finally {
      await root.cleanup();
    }
  });
});
