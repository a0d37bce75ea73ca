// Deciding what runs next, locally: a bounded number of workers at once, higher priority
// first, with an optional batch-wide gate every start must pass. The only importer of
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
