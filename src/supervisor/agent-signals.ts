// What an agent's stream tells the rest of herd while it runs: its session id (on disk at
// once, so a killed herd can still resume it), output and tool use (events), and its own API
// retries (events, a retry hint, and a hold on new starts when the API says "slow down"), and
// the tokens of each model call (the run's budget).

import type { ParsedSignal } from '../agents/adapter.js';
import type { RateLimitGate } from '../pool/rate-limit-gate.js';
import type { Redactor } from '../secrets/redact.js';
import type { RunFileWriter } from '../store/run-store.js';
import type { RunSummary } from '../types.js';
import type { RunBudget } from './budget.js';
import type { Emit } from './emitter.js';
import { DEFAULT_RATE_LIMIT_HOLD_MS } from './retry-loop.js';

export interface AgentSignalContext {
  summary: RunSummary;
  writer: RunFileWriter;
  emit: Emit;
  gate: RateLimitGate;
  redact: Redactor;
  /** Counts every model call the agents make against the run's spending. */
  budget: RunBudget;
}

export interface AgentSignals {
  handle(agentId: string, signal: ParsedSignal): void;
  /** The delay the agent announced in its latest retry line. */
  retryHintMs(agentId: string): number | undefined;
}

/** How much of the assistant's latest text live progress shows: its end, on one line. */
const EXCERPT_CHARS = 80;

/** Cut only after redaction: a secret cut in two would no longer be found by its value. */
function toExcerpt(redacted: string): string {
  return redacted.replace(/\s+/g, ' ').trim().slice(-EXCERPT_CHARS);
}

export function createAgentSignals(context: AgentSignalContext): AgentSignals {
  const { summary, emit, gate } = context;
  const lastRetryHintMs = new Map<string, number>();

  /** The CLI version per agent type (a mixed run has several); agentVersion keeps the first seen. */
  function recordVersion(agentId: string, version: string): void {
    if (!summary.agentVersion) summary.agentVersion = version;
    const kind = summary.tasks.find((task) => task.id === agentId)?.agent ?? 'claude';
    summary.agentVersions = { ...summary.agentVersions, [kind]: version };
  }

  function handle(agentId: string, signal: ParsedSignal): void {
    switch (signal.kind) {
      case 'session': {
        if (signal.agentVersion) recordVersion(agentId, signal.agentVersion);
        const agent = summary.agents.find((candidate) => candidate.id === agentId);
        if (agent && agent.sessionId !== signal.sessionId) {
          agent.sessionId = signal.sessionId;
          // On disk at once: if herd is killed now, resume continues this session instead of starting over.
          void context.writer.write(summary).catch(() => undefined);
        }
        emit({ type: 'agent.session', agentId, sessionId: signal.sessionId, ...(signal.model ? { model: signal.model } : {}) });
        return;
      }
      case 'output':
        emit({
          type: 'agent.output',
          agentId,
          kind: signal.type,
          ...(signal.activity === undefined ? {} : { activity: signal.activity }),
          ...(signal.excerpt === undefined ? {} : { excerpt: toExcerpt(context.redact(signal.excerpt)) }),
        });
        return;
      case 'tool':
        // A command line can hold a key: redacted like every other text herd passes on.
        emit({
          type: 'agent.tool',
          agentId,
          tool: signal.tool,
          ...(signal.file === undefined ? {} : { file: context.redact(signal.file) }),
          ...(signal.command === undefined ? {} : { command: context.redact(signal.command) }),
        });
        return;
      case 'retry': {
        if (signal.delayMs !== undefined) lastRetryHintMs.set(agentId, signal.delayMs);
        if (signal.status === 429 || signal.status === 529)
          gate.hold(signal.delayMs ?? DEFAULT_RATE_LIMIT_HOLD_MS, `${agentId} got HTTP ${signal.status} from the API`);
        emit({
          type: 'agent.retry',
          agentId,
          attempt: signal.attempt,
          source: 'agent',
          ...(signal.status === undefined ? {} : { status: signal.status }),
          ...(signal.delayMs === undefined ? {} : { delayMs: signal.delayMs }),
        });
        return;
      }
      case 'usage':
        context.budget.observe(agentId, signal);
        return;
      default: {
        const unknown: never = signal;
        throw new Error(`unknown signal ${JSON.stringify(unknown)}`);
      }
    }
  }

  return { handle, retryHintMs: (agentId) => lastRetryHintMs.get(agentId) };
}
