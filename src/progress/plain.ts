// Plain progress lines for logs and non-TTY stderr: one timestamped line per thing that
// happened (agent started, retried, ended; run waiting). Only listens to events.

import type { HerdEvent } from '../events.js';
import { firstLine, formatMs, formatUsd } from '../report/format.js';
import { clean } from './frame.js';

export function createPlainProgress(write: (text: string) => void, clock: () => number = Date.now): (event: HerdEvent) => void {
  const started = clock();
  let total = 0;
  let done = 0;
  const stamp = () => `[${formatMs(clock() - started).padStart(6)}]`;
  return (event) => {
    switch (event.type) {
      case 'run.start':
        total = event.agents.length;
        done = 0;
        write(
          `${stamp()} run ${event.runId} turn ${event.turn}: ${total} agent${total === 1 ? '' : 's'}, up to ${event.concurrency} at once${event.simulated ? ' (simulated API)' : ''}\n`,
        );
        return;
      case 'agent.start':
        write(
          `${stamp()} ${event.agentId} started${event.worker === undefined ? '' : ` on worker ${event.worker}`}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}\n`,
        );
        return;
      case 'agent.retry':
        write(
          `${stamp()} ${event.agentId} ${event.source === 'agent' ? 'API retry' : 'retry'} ${event.attempt}${event.status ? ` after HTTP ${event.status}` : ''}${event.delayMs ? `, waiting ${formatMs(event.delayMs)}` : ''}\n`,
        );
        return;
      case 'agent.end': {
        done += 1;
        const { result } = event;
        // Agent text may hold escape sequences: in a log they are garbage, or worse, commands to a terminal.
        const detail = clean(result.status === 'succeeded' ? firstLine(result.result, 50) : firstLine(result.error?.message, 200));
        write(
          `${stamp()} ${event.agentId} ${result.status} in ${formatMs(result.durationMs)} ${formatUsd(result.costUsd)} (${done}/${total})${detail ? `: ${detail}` : ''}\n`,
        );
        return;
      }
      case 'run.waiting':
        write(`${stamp()} waiting until ${new Date(event.untilTs).toLocaleTimeString()} before starting more agents: ${event.reason}\n`);
        return;
      case 'run.warning':
        write(`${stamp()} warning: ${clean(event.message)}\n`);
        return;
      case 'run.budget':
        write(`${stamp()} ${event.level === 'cap' ? 'spending cap' : 'warning'}: ${clean(event.message)}\n`);
        return;
      default:
        return;
    }
  };
}
