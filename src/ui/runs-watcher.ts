// Notices when any run under the root changes (a new run, a run.json rewritten) by comparing
// each run.json's modification time once a second, only while someone is watching.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { RUN_FILE } from '../store/run-store.js';

const POLL_MS = 1_000;

export class RunsWatcher {
  private readonly listeners = new Set<() => Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private fingerprint = '';

  constructor(private readonly root: string) {}

  /** Calls `listener` now and after every change; returns the unsubscribe. */
  subscribe(listener: () => Promise<void>): () => void {
    this.listeners.add(listener);
    void listener().catch(() => undefined);
    if (!this.timer) {
      this.timer = setInterval(() => void this.check(), POLL_MS);
      this.timer.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.fingerprint = '';
  }

  private async check(): Promise<void> {
    const fingerprint = await this.readFingerprint();
    // The first check after subscribing always reports: a run may have changed since the first listing.
    if (fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;
    await Promise.all([...this.listeners].map((listener) => listener().catch(() => undefined)));
  }

  private async readFingerprint(): Promise<string> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const stamps = await Promise.all(
      names.map(async (name) => `${name}:${(await stat(path.join(this.root, name, RUN_FILE)).catch(() => undefined))?.mtimeMs ?? '-'}`),
    );
    return stamps.sort().join('|');
  }
}
