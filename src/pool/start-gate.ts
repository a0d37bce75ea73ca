// At most `slots` agents in start-up at once. claude's start is CPU-bound (~1.3 CPU-s); on a
// machine with few cores, N starting together each take N/cores times as long. An agent stops
// counting as "starting" at a handshake, its first output line (claude's system/init), not
// after a guessed interval, so the gate adapts to the machine and its load. `maxHoldMs`
// frees a slot whose agent never prints, so a silent agent cannot stall the batch.

export type ReleaseStart = () => void;

export class StartGate {
  private starting = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly slots: number,
    private readonly maxHoldMs = 10_000,
  ) {}

  /**
   * Resolves with a release function once a slot is free (at once when aborted, holding no
   * slot: the caller sees the signal and does not start). Call release at the handshake;
   * extra calls are no-ops.
   */
  async acquire(signal?: AbortSignal): Promise<ReleaseStart> {
    while (this.starting >= this.slots && !signal?.aborted) await this.nextFreeSlot(signal);
    if (signal?.aborted) {
      // It will not start: it takes no slot, and a slot it was woken for goes to the next waiter.
      if (this.starting < this.slots) this.waiting.shift()?.();
      return () => undefined;
    }
    this.starting += 1;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.starting -= 1;
      this.waiting.shift()?.();
    };
    const timer = setTimeout(release, this.maxHoldMs);
    timer.unref?.();
    return release;
  }

  private nextFreeSlot(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const index = this.waiting.indexOf(wake);
        if (index !== -1) this.waiting.splice(index, 1);
        resolve();
      };
      this.waiting.push(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
