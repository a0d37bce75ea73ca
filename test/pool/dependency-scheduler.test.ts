// The dependency scheduler with in-process workers whose finishing the test controls:
// start order (not timings), the concurrency cap, priorities, eager starts, skips.

import { describe, expect, it } from 'vitest';
import { runByDependencies, type DependencyNode, type SkipCause } from '../../src/pool/dependency-scheduler.js';

interface Harness {
  started: string[];
  skipped: Array<{ id: string; cause: SkipCause }>;
  maxRunning: number;
  /** Finish a running node (true = succeeded). */
  finish(id: string, succeeded?: boolean): Promise<void>;
  /** Resolves when `count` nodes have started. */
  untilStarted(count: number): Promise<void>;
  done: Promise<void>;
}

function node(id: string, dependsOn: string[] = [], priority = 0, optional: string[] = []): DependencyNode {
  return { id, priority, dependsOn: dependsOn.map((dep) => ({ id: dep, ...(optional.includes(dep) ? { optional: true } : {}) })) };
}

function schedule(nodes: DependencyNode[], concurrency: number): Harness {
  const finishers = new Map<string, (succeeded: boolean) => void>();
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  let running = 0;
  const harness = {
    started: [] as string[],
    skipped: [] as Array<{ id: string; cause: SkipCause }>,
    maxRunning: 0,
    async finish(id: string, succeeded = true) {
      const finisher = finishers.get(id);
      if (!finisher) throw new Error(`${id} is not running (started: ${harness.started.join(', ')})`);
      finishers.delete(id);
      finisher(succeeded);
      // Let the scheduler react (pull the next item) before the test looks again.
      await new Promise((resolve) => setTimeout(resolve, 5));
    },
    untilStarted(count: number) {
      return harness.started.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
    },
    done: Promise.resolve(),
  };
  harness.done = runByDependencies(nodes, {
    concurrency,
    run: (item) =>
      new Promise<boolean>((resolve) => {
        running += 1;
        harness.maxRunning = Math.max(harness.maxRunning, running);
        harness.started.push(item.id);
        finishers.set(item.id, (succeeded) => {
          running -= 1;
          resolve(succeeded);
        });
        for (const waiter of waiters.filter((candidate) => harness.started.length >= candidate.count)) waiter.resolve();
      }),
    skip: (item, cause) => {
      harness.skipped.push({ id: item.id, cause });
      return Promise.resolve();
    },
  });
  return harness;
}

describe('runByDependencies', () => {
  it('runs a diamond: the root, then the middle in parallel, then the join', async () => {
    const run = schedule([node('root'), node('left', ['root']), node('right', ['root']), node('join', ['left', 'right'])], 4);
    await run.untilStarted(1);
    expect(run.started).toEqual(['root']);
    await run.finish('root');
    expect(run.started).toEqual(['root', 'left', 'right']);
    await run.finish('left');
    expect(run.started).toHaveLength(3);
    await run.finish('right');
    expect(run.started).toEqual(['root', 'left', 'right', 'join']);
    await run.finish('join');
    await run.done;
  });

  it('starts a task the moment its own dependencies finish, not when its whole stage does', async () => {
    const run = schedule([node('fast'), node('slow'), node('after-fast', ['fast']), node('after-slow', ['slow'])], 4);
    await run.untilStarted(2);
    await run.finish('fast');
    // slow is still running; after-fast must not wait for it.
    expect(run.started).toEqual(['fast', 'slow', 'after-fast']);
    await run.finish('after-fast');
    await run.finish('slow');
    await run.finish('after-slow');
    await run.done;
  });

  it('never runs more than the cap, and starts the highest priority ready task first', async () => {
    const nodes = [node('a', [], 0), node('b', [], 1), node('c', [], 5), node('d', [], 3), node('e', [], 5)];
    const run = schedule(nodes, 2);
    await run.untilStarted(2);
    expect(run.started).toEqual(['c', 'e']);
    await run.finish('c');
    expect(run.started).toEqual(['c', 'e', 'd']);
    await run.finish('e');
    await run.finish('d');
    await run.finish('b');
    await run.finish('a');
    await run.done;
    expect(run.started).toEqual(['c', 'e', 'd', 'b', 'a']);
    expect(run.maxRunning).toBe(2);
  });

  it('with one slot, a newly ready high-priority task overtakes lower ones that waited longer', async () => {
    const run = schedule([node('first', [], 10), node('low-1'), node('low-2'), node('urgent', ['first'], 5)], 1);
    await run.untilStarted(1);
    await run.finish('first');
    expect(run.started).toEqual(['first', 'urgent']);
    await run.finish('urgent');
    await run.finish('low-1');
    await run.finish('low-2');
    await run.done;
  });

  it('skips dependents of a failed task at once, the whole chain, naming the failure at its root', async () => {
    const run = schedule([node('a'), node('b', ['a']), node('c', ['b']), node('other')], 2);
    await run.untilStarted(2);
    await run.finish('a', false);
    expect(run.skipped).toEqual([
      { id: 'b', cause: { dependency: 'a', failed: 'a' } },
      { id: 'c', cause: { dependency: 'b', failed: 'a' } },
    ]);
    await run.finish('other');
    await run.done;
    expect(run.started).toEqual(['a', 'other']);
  });

  it('runs a dependent whose failed dependency is optional', async () => {
    const run = schedule([node('maybe'), node('needs', ['maybe'], 0, ['maybe'])], 2);
    await run.untilStarted(1);
    await run.finish('maybe', false);
    expect(run.started).toEqual(['maybe', 'needs']);
    expect(run.skipped).toEqual([]);
    await run.finish('needs');
    await run.done;
  });

  it('rejects graphs it could never finish', async () => {
    const noop = { concurrency: 1, run: () => Promise.resolve(true), skip: () => Promise.resolve() };
    await expect(runByDependencies([node('a', ['b']), node('b', ['a'])], noop)).rejects.toThrow(/cycle/);
    await expect(runByDependencies([node('a', ['ghost'])], noop)).rejects.toThrow(/unknown "ghost"/);
    await expect(runByDependencies([node('a', ['a'])], noop)).rejects.toThrow(/itself/);
    await expect(runByDependencies([], noop)).resolves.toBeUndefined();
  });
});
