// Events out of a turn: stamped with the run id and time, secrets removed, handed to every
// listener (a listener's bug never breaks the run) and appended to events.jsonl, except most
// of the chatty per-line output events. A failed append is handed to `onLogError` (the turn
// runner records it and ends the run failed), never dropped.

import type { HerdEvent, HerdEventInput, HerdEventListener } from '../events.js';
import { redactJson, type Redactor } from '../secrets/redact.js';
import type { EventLog } from '../store/run-store.js';

export type Emit = (input: HerdEventInput) => void;

/**
 * An agent's output lines are not worth a disk write each; one that says something (an
 * excerpt or an activity) per agent per second is, so a dashboard reading the log (herd ui)
 * can say what each agent is doing, whichever process runs it.
 */
const OUTPUT_LOG_INTERVAL_MS = 1_000;

export function createEmitter(
  runId: string,
  listeners: ReadonlySet<HerdEventListener>,
  log: EventLog,
  onLogError: (error: unknown) => void,
  redact?: Redactor,
): Emit {
  const lastOutputLogged = new Map<string, number>();
  const worthLogging = (event: HerdEvent): boolean => {
    if (event.type !== 'agent.output') return true;
    if (event.excerpt === undefined && event.activity === undefined) return false;
    if (event.ts - (lastOutputLogged.get(event.agentId) ?? 0) < OUTPUT_LOG_INTERVAL_MS) return false;
    lastOutputLogged.set(event.agentId, event.ts);
    return true;
  };
  return (input) => {
    const stamped = { ...input, runId, ts: Date.now() };
    // Listeners (--events, progress, library callers) see no secret, as the log does not.
    const event = redact ? redactJson(stamped, redact) : stamped;
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A listener's bug must not break the run.
      }
    }
    if (worthLogging(event)) void log.append(event).catch(onLogError);
  };
}
