// Ctrl-C and SIGTERM for the CLI: the first one aborts the run (agents get SIGTERM, then
// SIGKILL after the grace period, and the run record is written); a second one kills
// every agent at once and exits 130.

import { killAllAgentsNow } from '../process/run-process.js';

export interface Interrupt {
  signal: AbortSignal;
  /** The signal that interrupted, if any. */
  readonly received: NodeJS.Signals | undefined;
  dispose(): void;
}

export function installInterruptHandlers(writeErr: (text: string) => void): Interrupt {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received !== undefined) {
      const killed = killAllAgentsNow();
      writeErr(`\n${signal} again: killed ${killed} agent process group${killed === 1 ? '' : 's'} at once.\n`);
      process.exit(130);
    }
    received = signal;
    writeErr(`\n${signal}: stopping agents and saving the run record (press Ctrl-C again to kill them now)...\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
