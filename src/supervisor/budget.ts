// The run's spending while it runs: what the run had recorded before this turn, the attempts
// that ended (their reported totals), and a running estimate per agent from the token counts
// it streams (one per model call, priced by agents/prices.ts). When that sum crosses
// --warn-cost herd says so once; when it reaches --max-cost the budget's signal aborts:
// nothing new starts and running agents are stopped like a cancel, then recorded as 'budget'.
// Deciding what runs is the supervisor's: nothing here runs or kills a process itself.

import type { ParsedSignal } from '../agents/adapter.js';
import { costOf, type PriceTable } from '../agents/prices.js';
import { formatUsd } from '../report/format.js';
import { emptyUsage } from '../results.js';
import type { AgentResult, RunBudgetLimits, Usage } from '../types.js';

type UsageSignal = Extract<ParsedSignal, { kind: 'usage' }>;

export interface BudgetListener {
  /** The run's spending crossed a limit: once for the warning, once for the cap. */
  onLimit(level: 'warning' | 'cap', spentUsd: number, limitUsd: number): void;
  /** An agent's spending (this turn) and the run's changed. */
  onCost(agentId: string, agentUsd: number, runUsd: number): void;
}

export interface BudgetOptions extends RunBudgetLimits {
  /** Everything the run recorded before this turn (earlier turns, earlier segments of this one). */
  spentBeforeUsd: number;
  prices: PriceTable;
  listener: BudgetListener;
}

/** A characters-per-token guess for text a model generated; claude streams no output count per call. */
const CHARS_PER_TOKEN = 4;

interface CallEstimate {
  model: string | undefined;
  usage: Usage;
  outputChars: number;
}

/** The model calls of one agent's running attempt, by message id. */
class AttemptEstimate {
  private readonly calls = new Map<string, CallEstimate>();
  private anonymous = 0;
  model: string | undefined;

  add(signal: UsageSignal): void {
    const key = signal.messageId ?? `#${(this.anonymous += 1)}`;
    const call = this.calls.get(key);
    if (signal.model !== undefined) this.model = signal.model;
    // Every line of one call repeats its usage; each adds the text of its own block.
    if (call) {
      call.outputChars += signal.outputChars;
      call.usage = maxUsage(call.usage, signal.usage);
    } else this.calls.set(key, { model: signal.model, usage: { ...signal.usage }, outputChars: signal.outputChars });
  }

  usage(): Usage {
    const total = emptyUsage();
    for (const call of this.calls.values()) addUsage(total, estimatedCallUsage(call));
    return total;
  }

  usd(prices: PriceTable): number {
    let usd = 0;
    for (const call of this.calls.values()) usd += costOf(call.model, estimatedCallUsage(call), prices);
    return usd;
  }
}

function estimatedCallUsage(call: CallEstimate): Usage {
  return { ...call.usage, outputTokens: Math.max(call.usage.outputTokens, Math.ceil(call.outputChars / CHARS_PER_TOKEN)) };
}

export class RunBudget {
  private settledUsd: number;
  private readonly running = new Map<string, AttemptEstimate>();
  /** Each agent's settled attempts in this turn. */
  private readonly agentSettledUsd = new Map<string, number>();
  private readonly controller = new AbortController();
  private warned = false;
  /** The run's spending when the cap was reached. */
  stoppedAtUsd: number | undefined;

  constructor(private readonly options: BudgetOptions) {
    this.settledUsd = options.spentBeforeUsd;
  }

  /** Aborts when the cap is reached. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.stoppedAtUsd !== undefined;
  }

  get maxCostUsd(): number | undefined {
    return this.options.maxCostUsd;
  }

  /** Recorded + the running estimates. */
  get totalUsd(): number {
    let usd = this.settledUsd;
    for (const estimate of this.running.values()) usd += estimate.usd(this.options.prices);
    return usd;
  }

  /** Before anything starts: a run already at its cap starts nothing. */
  check(): void {
    this.checkLimits();
  }

  /** One model call seen in an agent's stream. */
  observe(agentId: string, signal: UsageSignal): void {
    let estimate = this.running.get(agentId);
    if (!estimate) {
      estimate = new AttemptEstimate();
      this.running.set(agentId, estimate);
    }
    estimate.add(signal);
    this.options.listener.onCost(agentId, this.agentUsd(agentId), this.totalUsd);
    this.checkLimits();
  }

  /**
   * An attempt ended: its reported cost replaces the estimate. An attempt that reported none
   * (stopped or crashed before its result line; an agent that reports only tokens) is priced
   * from what it streamed, and says so (costEstimated).
   */
  settle(agentId: string, result: AgentResult): AgentResult {
    const estimate = this.running.get(agentId);
    this.running.delete(agentId);
    let settled = result;
    if (result.costUsd === 0) {
      const reportedTokens = totalTokens(result.usage) > 0;
      const usage = reportedTokens ? result.usage : (estimate?.usage() ?? emptyUsage());
      const usd = reportedTokens ? costOf(estimate?.model, usage, this.options.prices) : (estimate?.usd(this.options.prices) ?? 0);
      if (usd > 0) settled = { ...result, costUsd: roundUsd(usd), usage, costEstimated: true };
    }
    this.settledUsd += settled.costUsd;
    this.agentSettledUsd.set(agentId, (this.agentSettledUsd.get(agentId) ?? 0) + settled.costUsd);
    if (settled.costUsd > 0 || estimate) this.options.listener.onCost(agentId, this.agentUsd(agentId), this.totalUsd);
    this.checkLimits();
    return settled;
  }

  /** An agent that was stopped (or never started) because of the cap, as it is recorded. */
  asStopped(result: AgentResult): AgentResult {
    const cap = this.options.maxCostUsd ?? 0;
    const spent = `${formatUsd(this.stoppedAtUsd ?? this.totalUsd)} of its ${formatUsd(cap)} cap`;
    const message = result.attempts > 0 ? `stopped: the run reached its spending cap (${spent})` : `not started: the run reached its spending cap (${spent})`;
    return { ...result, status: 'budget', error: { reason: 'budget', message } };
  }

  private agentUsd(agentId: string): number {
    return (this.agentSettledUsd.get(agentId) ?? 0) + (this.running.get(agentId)?.usd(this.options.prices) ?? 0);
  }

  private checkLimits(): void {
    const { warnCostUsd, maxCostUsd } = this.options;
    const total = this.totalUsd;
    if (warnCostUsd !== undefined && !this.warned && total >= warnCostUsd) {
      this.warned = true;
      this.options.listener.onLimit('warning', total, warnCostUsd);
    }
    if (maxCostUsd !== undefined && !this.stopped && total >= maxCostUsd) {
      this.stoppedAtUsd = total;
      this.options.listener.onLimit('cap', total, maxCostUsd);
      this.controller.abort(new Error('the run reached its spending cap'));
    }
  }
}

/** What a run has recorded so far: every turn's agents (a resumed turn's earlier segments included). */
export function recordedCostUsd(turns: ReadonlyArray<{ agents: readonly AgentResult[] }>): number {
  return turns.reduce((sum, turn) => sum + turn.agents.reduce((turnSum, agent) => turnSum + agent.costUsd, 0), 0);
}

const totalTokens = (usage: Usage) => usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheCreationTokens;
const roundUsd = (usd: number) => Math.round(usd * 1e8) / 1e8;

function maxUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: Math.max(a.inputTokens, b.inputTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens),
    cacheReadTokens: Math.max(a.cacheReadTokens, b.cacheReadTokens),
    cacheCreationTokens: Math.max(a.cacheCreationTokens, b.cacheCreationTokens),
  };
}

function addUsage(into: Usage, add: Usage): void {
  into.inputTokens += add.inputTokens;
  into.outputTokens += add.outputTokens;
  into.cacheReadTokens += add.cacheReadTokens;
  into.cacheCreationTokens += add.cacheCreationTokens;
}
