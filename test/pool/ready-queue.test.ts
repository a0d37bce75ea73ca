// The ready queue: priority order, waiting pulls, close.

import { describe, expect, it } from 'vitest';
import { createReadyQueue } from '../../src/pool/ready-queue.js';

describe('createReadyQueue', () => {
  it('hands out the highest priority first, equal priorities in their given order', async () => {
    const queue = createReadyQueue<string>();
    queue.push('low', 0, 0);
    queue.push('high-b', 5, 2);
    queue.push('high-a', 5, 1);
    queue.push('mid', 2, 3);
    queue.close();
    const seen: string[] = [];
    for await (const item of queue) seen.push(item);
    expect(seen).toEqual(['high-a', 'high-b', 'mid', 'low']);
  });

  it('lets a pull wait until something is pushed, and items pushed together compete on priority', async () => {
    const queue = createReadyQueue<string>();
    const iterator = queue[Symbol.asyncIterator]();
    const first = iterator.next();
    const second = iterator.next();
    queue.push('later', 0, 1);
    queue.push('urgent', 9, 2);
    expect(await first).toEqual({ done: false, value: 'urgent' });
    expect(await second).toEqual({ done: false, value: 'later' });
  });

  it('ends waiting pulls when closed', async () => {
    const queue = createReadyQueue<number>();
    const iterator = queue[Symbol.asyncIterator]();
    const pending = iterator.next();
    queue.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(() => queue.push(1, 0, 0)).toThrow(/after close/);
  });

  it('releases waiting pulls when the consumer stops early', async () => {
    const queue = createReadyQueue<number>();
    const iterator = queue[Symbol.asyncIterator]();
    const pending = iterator.next();
    await iterator.return!();
    expect(await pending).toEqual({ done: true, value: undefined });
  });
});
