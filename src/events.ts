// The typed events a run emits. Renderers, the event log and library users only listen;
// nothing here decides anything.

import type { AgentResult, RunSummary } from './types.js';

interface Base {
  runId: string;
  ts: number;
}

export type HerdEvent =
  /** `maxCostUsd`: the run's spending cap, when it has one. */
  | (Base & { type: 'run.start'; agents: string[]; turn: number; concurrency: number; simulated: boolean; maxCostUsd?: number })
  | (Base & { type: 'agent.queued'; agentId: string; turn: number })
  /** `warm`: the turn went to a process kept alive from an earlier turn (no start-up paid). */
  | (Base & { type: 'agent.start'; agentId: string; turn: number; attempt: number; workspace: string; pid?: number; warm?: boolean })
  | (Base & { type: 'agent.session'; agentId: string; sessionId: string; model?: string })
  /** `excerpt`: optional short, redacted, single-line tail of the latest text the agent printed (for live progress). */
  | (Base & { type: 'agent.output'; agentId: string; kind: string; excerpt?: string })
  | (Base & { type: 'agent.tool'; agentId: string; tool: string })
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
