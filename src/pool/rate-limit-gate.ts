// A batch-wide hold on starting agents: when one agent hits a rate limit, the others are
// not sent into the same wall. Starts wait until the hold expires; running agents go on.

export class RateLimitGate {
  private untilTs = 0;

  constructor(
    private readonly onHold: (untilTs: number, reason: string) => void = () => {},
    private readonly clock: () => number = Date.now,
  ) {}

  /** Hold new starts for `ms` from now (extends, never shortens, an existing hold). */
  hold(ms: number, reason: string): void {
    const until = this.clock() + ms;
    if (until <= this.untilTs) return;
    this.untilTs = until;
    this.onHold(until, reason);
  }

  /** Resolves when starting is allowed again (at once when there is no hold), or when aborted. */
  async wait(signal?: AbortSignal): Promise<void> {
    for (let left = this.untilTs - this.clock(); left > 0 && !signal?.aborted; left = this.untilTs - this.clock()) {
      await sleep(left, signal);
    }
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
