// Events out of a turn: stamped with the run id and time, handed to every listener (a
// listener's bug never breaks the run) and appended to events.jsonl, except the chatty
// per-line output events.

import type { HerdEvent, HerdEventInput, HerdEventListener } from '../events.js';
import type { EventLog } from '../store/run-store.js';

export type Emit = (input: HerdEventInput) => void;

/**
 * An agent's output lines are not worth a disk write each; one with an excerpt per agent per
 * second is, so a dashboard reading the log can say what each agent is writing.
 */
const OUTPUT_LOG_INTERVAL_MS = 1_000;

export function createEmitter(runId: string, listeners: ReadonlySet<HerdEventListener>, log: EventLog): Emit {
  const lastOutputLogged = new Map<string, number>();
  const worthLogging = (event: HerdEvent): boolean => {
    if (event.type !== 'agent.output') return true;
    if (event.excerpt === undefined || event.ts - (lastOutputLogged.get(event.agentId) ?? 0) < OUTPUT_LOG_INTERVAL_MS) return false;
    lastOutputLogged.set(event.agentId, event.ts);
    return true;
  };
  return (input) => {
    const event = { ...input, runId, ts: Date.now() };
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the run.
      }
    }
    if (worthLogging(event)) void log.append(event).catch(() => undefined);
  };
}
