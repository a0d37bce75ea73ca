// The typed events a run emits. Renderers, the event log and library users only listen;
// nothing here decides anything.

import type { AgentResult, RunSummary } from './types.js';

/**
 * What an agent is doing, in words every agent CLI shares (live progress shows them): waiting
 * for its model (`thinking`), or done (`answered`). Tool use comes as `agent.tool`.
 */
export type AgentActivity = 'thinking' | 'answered';

interface Base {
  runId: string;
  ts: number;
}

export type HerdEvent =
  /** `maxCostUsd`: the run's spending cap, when it has one. */
  | (Base & { type: 'run.start'; agents: string[]; turn: number; concurrency: number; simulated: boolean; maxCostUsd?: number })
  | (Base & { type: 'agent.queued'; agentId: string; turn: number })
  /** `warm`: the turn went to a process kept alive from an earlier turn (no start-up paid); `worker`: the queue worker running it (--queue). */
  | (Base & { type: 'agent.start'; agentId: string; turn: number; attempt: number; workspace: string; pid?: number; warm?: boolean; worker?: string })
  | (Base & { type: 'agent.session'; agentId: string; sessionId: string; model?: string })
  /**
   * `kind`: the agent CLI's own name for the line (claude: `system/init`, `assistant`, ...);
   * `activity`: what that line means in shared words; `excerpt`: optional short, redacted,
   * single-line tail of the latest text the agent printed (for live progress).
   */
  | (Base & { type: 'agent.output'; agentId: string; kind: string; activity?: AgentActivity; excerpt?: string })
  /** `file` or `command`: what the tool works on, when the agent said (redacted, one line, bounded). */
  | (Base & { type: 'agent.tool'; agentId: string; tool: string; file?: string; command?: string })
  | (Base & { type: 'agent.retry'; agentId: string; attempt: number; status?: number; delayMs?: number; source: 'agent' | 'herd' })
  | (Base & { type: 'agent.end'; agentId: string; turn: number; result: AgentResult })
  /**
   * The agent's spending changed (a model call it made, or its reported total at its end): `costUsd`
   * is this agent's in this turn, `runCostUsd` the whole run's (recorded + running estimates).
   */
  | (Base & { type: 'agent.cost'; agentId: string; costUsd: number; runCostUsd: number; maxCostUsd?: number })
  /** The run's spending crossed --warn-cost (`level: 'warning'`) or reached --max-cost (`level: 'cap'`: nothing new starts, running agents are stopped). */
  | (Base & { type: 'run.budget'; level: 'warning' | 'cap'; spentUsd: number; limitUsd: number; message: string })
  | (Base & { type: 'run.waiting'; untilTs: number; reason: string })
  | (Base & { type: 'run.warning'; message: string })
  | (Base & { type: 'run.end'; turn: number; summary: RunSummary });

export type HerdEventType = HerdEvent['type'];

/** Event without the fields the emitter fills in. */
export type HerdEventInput = HerdEvent extends infer E ? (E extends HerdEvent ? Omit<E, 'runId' | 'ts'> : never) : never;

export type HerdEventListener = (event: HerdEvent) => void;
