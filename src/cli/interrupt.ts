// Ctrl-C, SIGTERM, SIGHUP (terminal or SSH connection closed) and SIGQUIT (Ctrl-\) for the
// CLI: the first one aborts the run (agents get SIGTERM, then SIGKILL after the grace period,
// and the run record is written); a second one kills every agent and what it left running at
// once, and the run still ends by writing its record (cancelled) and exiting 130. Agents run
// in process groups of their own, so none of these signals reaches them but through herd.

import { killAllAgentsNow } from '../process/run-process.js';
import { EXIT_INTERRUPTED } from './exit-codes.js';

export interface Interrupt {
  signal: AbortSignal;
  /** The signal that interrupted, if any. */
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
}

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** After a second signal the record is written within moments; should anything hang, herd leaves anyway. */
const FORCED_EXIT_MS = 5_000;

export function installInterruptHandlers(writeErr: (text: string) => void): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  let killedNow = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (killedNow) process.exit(EXIT_INTERRUPTED);
    if (received !== undefined) {
      killedNow = true;
      const killed = killAllAgentsNow();
      writeErr(`\n${signal} again: killed ${killed} agent process group${killed === 1 ? '' : 's'} at once; saving the run record...\n`);
      setTimeout(() => process.exit(EXIT_INTERRUPTED), FORCED_EXIT_MS).unref();
      return;
    }
    received = signal;
    writeErr(`\n${signal}: stopping agents and saving the run record (press Ctrl-C again to kill them now)...\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
    },
  };
}
