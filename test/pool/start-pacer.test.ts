import { describe, expect, it } from 'vitest';
import { StartPacer } from '../../src/pool/start-pacer.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import { makeTempDir } from '../helpers.js';

describe('StartPacer', () => {
  it('lets the first start go at once and spaces the next ones by the interval', async () => {
    const pacer = new StartPacer(60);
    const began = Date.now();
    const startedAt: number[] = [];
    await Promise.all(
      [0, 1, 2].map(async () => {
        await pacer.wait();
        startedAt.push(Date.now() - began);
      }),
    );
    startedAt.sort((a, b) => a - b);
    expect(startedAt[0]).toBeLessThan(50);
    // Lower bounds only (spacing is never much shorter than asked; timers may fire a few ms early by Date.now).
    expect(startedAt[1]! - startedAt[0]!).toBeGreaterThanOrEqual(45);
    expect(startedAt[2]! - startedAt[1]!).toBeGreaterThanOrEqual(45);
  });

  it('does nothing with an interval of 0', async () => {
    const pacer = new StartPacer(0);
    const began = Date.now();
    await Promise.all([pacer.wait(), pacer.wait(), pacer.wait()]);
    expect(Date.now() - began).toBeLessThan(50);
  });

  it('spaces the agent starts of a run', async () => {
    const root = await makeTempDir();
    const starts: number[] = [];
    try {
      await new Supervisor({
        workspaceRoot: root.path,
        startStaggerMs: 150,
        onEvent: (event) => {
          if (event.type === 'agent.start') starts.push(event.ts);
        },
      }).run(['a', 'b', 'c'].map((id) => ({ id, prompt: 'x', agent: 'command' as const, command: ['true'], promptArg: false })));
    } finally {
      await root.cleanup();
    }
    expect(starts).toHaveLength(3);
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(140);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(140);
  });
});
