import { describe, expect, it } from 'vitest';
import { StartGate } from '../../src/pool/start-gate.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('StartGate', () => {
  it('lets `slots` starts through, and the next one when a started agent says it is up', async () => {
    const gate = new StartGate(2);
    const order: string[] = [];
    const releases = new Map<string, () => void>();
    const start = (id: string) => gate.acquire().then((release) => (order.push(id), releases.set(id, release)));
    const all = Promise.all(['a', 'b', 'c', 'd'].map(start));
    await tick();
    expect(order).toEqual(['a', 'b']);
    releases.get('a')!();
    releases.get('a')!(); // a second release frees nothing more
    await tick();
    expect(order).toEqual(['a', 'b', 'c']);
    releases.get('b')!();
    await all;
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('frees the slot of an agent that never prints after maxHoldMs', async () => {
    const gate = new StartGate(1, 20);
    await gate.acquire();
    const started = Date.now();
    await gate.acquire();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('stops waiting when the run is aborted', async () => {
    const gate = new StartGate(1);
    await gate.acquire();
    const controller = new AbortController();
    const waiting = gate.acquire(controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeTypeOf('function');
  });
});

describe('StartGate and aborted waits', () => {
  it('an aborted wait takes no slot: the next agent starts as soon as the holder releases', async () => {
    const gate = new StartGate(1, 60_000);
    const releaseFirst = await gate.acquire();
    const controller = new AbortController();
    const aborted = gate.acquire(controller.signal);
    controller.abort();
    await aborted; // its release is never called, as by a caller that stopped waiting for good
    releaseFirst();
    let started = false;
    const next = gate.acquire().then(() => (started = true));
    await tick();
    expect(started).toBe(true);
    await next;
  });

  it('a waiter woken for a slot after its run was aborted passes the slot on', async () => {
    const gate = new StartGate(1, 60_000);
    const releaseFirst = await gate.acquire();
    const controller = new AbortController();
    let third = false;
    // Aborted at the moment its slot comes free: the slot must go to the next waiter.
    const second = gate.acquire(controller.signal);
    const next = gate.acquire().then(() => (third = true));
    releaseFirst();
    controller.abort();
    await second;
    await tick();
    expect(third).toBe(true);
    await next;
  });
});
