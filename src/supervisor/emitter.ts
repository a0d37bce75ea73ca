// Events out of a turn: stamped with the run id and time, secrets removed, handed to every
// listener (a listener's bug never breaks the run) and appended to events.jsonl, except the
// chatty per-line output events. A failed append is handed to `onLogError` (the turn runner
// records it and ends the run failed), never dropped.

import type { HerdEvent, HerdEventInput, HerdEventListener } from '../events.js';
import { redactJson, type Redactor } from '../secrets/redact.js';
import type { EventLog } from '../store/run-store.js';

export type Emit = (input: HerdEventInput) => void;

/** Events that are not worth a disk write each (one per agent output line). */
const NOT_LOGGED: ReadonlySet<HerdEvent['type']> = new Set(['agent.output']);

export function createEmitter(
  runId: string,
  listeners: ReadonlySet<HerdEventListener>,
  log: EventLog,
  onLogError: (error: unknown) => void,
  redact?: Redactor,
): Emit {
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
    if (!NOT_LOGGED.has(event.type)) void log.append(event).catch(onLogError);
  };
}
