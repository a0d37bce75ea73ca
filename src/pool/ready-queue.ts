// A queue of items that are ready to start, read as an async iterable: highest priority
// first, equal priorities in the order they were given. A pull with nothing ready waits
// until something is pushed or the queue is closed, so a consumer with free slots (p-map)
// can sit on it while running items decide what becomes ready next.

interface Queued<T> {
  item: T;
  priority: number;
  order: number;
}

type Waiter<T> = (result: IteratorResult<T, undefined>) => void;

export interface ReadyQueue<T> extends AsyncIterable<T> {
  /** Make `item` available; `order` breaks priority ties (lower first). */
  push(item: T, priority: number, order: number): void;
  /** No more pushes: waiting pulls end, and so does iteration once the queue is empty. */
  close(): void;
  readonly size: number;
}

export function createReadyQueue<T>(): ReadyQueue<T> {
  const ready: Array<Queued<T>> = [];
  const waiters: Array<Waiter<T>> = [];
  let closed = false;

  const takeBest = (): T => {
    let best = 0;
    for (let index = 1; index < ready.length; index++) {
      if (comesFirst(ready[index]!, ready[best]!)) best = index;
    }
    return ready.splice(best, 1)[0]!.item;
  };

  const settleWaiters = (): void => {
    while (waiters.length > 0 && ready.length > 0) waiters.shift()!({ done: false, value: takeBest() });
    if (closed) while (waiters.length > 0) waiters.shift()!({ done: true, value: undefined });
  };

  const next = (): Promise<IteratorResult<T, undefined>> => {
    if (ready.length > 0) return Promise.resolve({ done: false, value: takeBest() });
    if (closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => waiters.push(resolve));
  };

  return {
    push(item, priority, order) {
      if (closed) throw new Error('ready queue: push after close');
      ready.push({ item, priority, order });
      // Waiters are woken on the next microtask, so a caller that pushes several items in
      // one go has them all compete on priority before any waiter takes one.
      queueMicrotask(settleWaiters);
    },
    close() {
      closed = true;
      queueMicrotask(settleWaiters);
    },
    get size() {
      return ready.length;
    },
    [Symbol.asyncIterator]() {
      return {
        next,
        // The consumer stopped early (an error in the pool): release every waiting pull.
        return: () => {
          closed = true;
          ready.length = 0;
          settleWaiters();
          return Promise.resolve({ done: true, value: undefined });
        },
      };
    },
  };
}

/** Higher priority first; then lower order. A linear scan is fine: ready sets are small (agents, not jobs). */
function comesFirst<T>(a: Queued<T>, b: Queued<T>): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.order < b.order;
}
