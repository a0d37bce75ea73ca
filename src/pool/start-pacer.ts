// Spacing agent starts: claude's start-up is CPU-bound (~1.3 CPU-s), so on a small machine
// starting many at once makes every one of them slow; starts spaced by `intervalMs` let the
// first answers come sooner (measured in bench/stagger.ts). Zero means no spacing.

import { sleep } from './rate-limit-gate.js';

export class StartPacer {
  private nextStartTs = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Resolves when this start may go; each call books the next slot, so concurrent callers queue up. */
  async wait(signal?: AbortSignal): Promise<void> {
    if (this.intervalMs <= 0) return;
    const now = this.clock();
    const at = Math.max(now, this.nextStartTs);
    this.nextStartTs = at + this.intervalMs;
    if (at > now) await sleep(at - now, signal);
  }
}
