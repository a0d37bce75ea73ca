// The warm process on its own: turns over one stdin, the line that ends a turn, a process
// gone between turns, and close() of a process that ignores both stdin's end and SIGTERM.
import { afterEach, describe, expect, it } from 'vitest';
import { startWarmProcess, type WarmProcess } from '../../src/process/warm-process.js';
import { isAlive } from '../helpers.js';

/** Answers each stdin line with "got <line>" then "done"; `ignore-end` keeps running after stdin ends and ignores SIGTERM. */
const ECHO = `
const stubborn = process.argv.includes('ignore-end');
if (stubborn) { process.on('SIGTERM', () => {}); setInterval(() => {}, 1 << 30); }
require('readline').createInterface({ input: process.stdin }).on('line', (line) => process.stdout.write('got ' + line + '\\ndone\\n'));
`;

const started: WarmProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((warm) => warm.close()));
});

async function start(...args: string[]): Promise<WarmProcess> {
  const warm = await startWarmProcess({
    file: process.execPath,
    args: ['-e', ECHO, ...args],
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '' },
    tag: `test/warm/${process.pid}`,
    killGraceMs: 200,
  });
  if ('spawnError' in warm) throw new Error(warm.spawnError);
  started.push(warm);
  return warm;
}

describe('startWarmProcess', () => {
  it('serves several turns on one process, each ending at the line the caller says ends it', async () => {
    const warm = await start();
    for (const word of ['one', 'two', 'three']) {
      const lines: string[] = [];
      const run = await warm.runTurn({
        input: `${word}\n`,
        onLine: (line) => {
          lines.push(line);
          return line === 'done';
        },
      });
      expect(run).toMatchObject({ completed: true, lines: 2 });
      expect(lines).toEqual([`got ${word}`, 'done']);
    }
    expect(warm.alive).toBe(true);
    await warm.close();
    expect(warm.alive).toBe(false);
    expect(isAlive(warm.pid)).toBe(false);
  });

  it('a process gone before the turn ends it at once with no lines, so the caller can start another', async () => {
    const warm = await start();
    process.kill(warm.pid, 'SIGKILL');
    await warm.exited;
    const run = await warm.runTurn({ input: 'x\n', onLine: () => true });
    expect(run).toMatchObject({ completed: false, lines: 0, signal: 'SIGKILL' });
    expect(run.killedBecause).toBeUndefined();
  });

  it('close() ends a process that ignores the end of stdin and SIGTERM, by SIGKILL', async () => {
    const warm = await start('ignore-end');
    const closing = performance.now();
    await warm.close();
    expect(isAlive(warm.pid)).toBe(false);
    expect(performance.now() - closing).toBeGreaterThan(3_000);
    expect(await warm.exited).toMatchObject({ signal: 'SIGKILL' });
  });
});
