// Outcomes every adapter shares: herd ended the process (timeout, idle, cancel) or
// could not start it. These win over whatever the agent printed.

import type { AgentOutcome, ProcessExit } from './adapter.js';

export function judgeProcessFailure(exit: ProcessExit): AgentOutcome | undefined {
  if (exit.spawnError !== undefined) return { status: 'failed', error: { reason: 'spawn', message: `could not start the agent: ${exit.spawnError}` } };
  switch (exit.killedBecause) {
    case 'timeout':
      return { status: 'timeout', error: { reason: 'timeout', message: 'stopped: wall-clock timeout reached' } };
    case 'idle':
      return { status: 'timeout', error: { reason: 'idle', message: 'stopped: no output for longer than the idle timeout' } };
    case 'canceled':
      return { status: 'cancelled', error: { reason: 'canceled', message: 'stopped: the run was cancelled' } };
    default:
      return undefined;
  }
}
