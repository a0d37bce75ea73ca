// Deciding what runs next, locally: a bounded number of workers at once, higher priority
// first, with an optional batch-wide gate every start must pass; or items pulled from a
// source that hands out what is ready (dependency-scheduler.ts). The only importer of
// p-map. Workers must not throw: failures are results (one crash never stops the rest).

import pMap from 'p-map';

export interface PoolOptions<T> {
  concurrency: number;
  /** Higher runs earlier; equal priorities keep their given order. */
  priority?: (item: T) => number;
  /** Awaited before each start, e.g. to hold starts back while a rate limit lasts. */
  beforeStart?: () => Promise<void>;
}

/** Run `worker` over `items`, at most `concurrency` at once; results come back in the items' order. */
export async function runBounded<T, R>(items: readonly T[], worker: (item: T, index: number) => Promise<R>, options: PoolOptions<T>): Promise<R[]> {
  const order = items.map((item, index) => ({ item, index }));
  if (options.priority) {
    const priority = options.priority;
    order.sort((a, b) => priority(b.item) - priority(a.item) || a.index - b.index);
  }
  const results = new Array<R>(items.length);
  await pMap(
    order,
    async ({ item, index }) => {
      await options.beforeStart?.();
      results[index] = await worker(item, index);
    },
    { concurrency: options.concurrency },
  );
  return results;
}

export interface SourcePoolOptions {
  concurrency: number;
  beforeStart?: () => Promise<void>;
}

/**
 * Run `worker` over items pulled from `source` as slots free up, at most `concurrency` at
 * once. The source decides the order and may make a pull wait until something is ready
 * (see ready-queue.ts): p-map only pulls when it has a free slot, so an item is chosen at
 * the moment it can start, not before.
 */
export async function runFromSource<T>(source: AsyncIterable<T>, worker: (item: T) => Promise<void>, options: SourcePoolOptions): Promise<void> {
  await pMap(
    source,
    async (item) => {
      await options.beforeStart?.();
      await worker(item);
    },
    { concurrency: options.concurrency },
  );
}
