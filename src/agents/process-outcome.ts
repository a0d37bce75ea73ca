// Outcomes every adapter shares: herd ended the process (timeout, idle, cancel) or
// could not start it. These win over whatever the agent printed.

import type { ProcessExit } from '../process/exit.js';
import type { AgentOutcome } from './adapter.js';

export function judgeProcessFailure(exit: ProcessExit): AgentOutcome | undefined {
  if (exit.spawnError !== undefined) return { status: 'failed', error: { reason: 'spawn', message: `could not start the agent: ${exit.spawnError}` } };
  switch (exit.killedBecause) {
    case 'timeout':
      return { status: 'timeout', error: { reason: 'timeout', message: 'stopped: wall-clock timeout reached' } };
    case 'idle':
      return { status: 'timeout', error: { reason: 'idle', message: 'stopped: no output for longer than the idle timeout' } };
    case 'cancelled':
      return { status: 'cancelled', error: { reason: 'canceled', message: 'stopped: the run was cancelled' } };
    default:
      return undefined;
  }
}

/** One line on how an agent's process ended: its exit code or signal and the last stderr line. */
export function describeExit(exit: ProcessExit, name: string): string {
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.exitCode ?? 'unknown'}`;
  const stderr = lastLine(exit.stderrTail);
  return `${name} ${how}${stderr ? `: ${stderr}` : ''}`;
}

const lastLine = (text: string) => text.trim().split('\n').pop()!.slice(0, 300);
