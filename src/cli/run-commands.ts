// `herd spawn` and `herd continue`: build the supervisor from flags, run with Ctrl-C
// handling and progress, print the account, and return the exit code. `spawn --then` runs
// several turns in one command, on warm processes unless told otherwise.

import os from 'node:os';
import { UsageError } from '../errors.js';
import { loadPriceFile } from '../agents/prices.js';
import { parseConcurrency, parseDuration, parseEnvAssignment, parseNonNegativeInt, parsePositiveDuration, parsePositiveNumber } from '../options.js';
import { formatUsd } from '../report/format.js';
import { renderTurn } from '../report/summary-text.js';
import { resolveRunId } from '../store/run-ref.js';
import { Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import type { HerdEvent } from '../events.js';
import type { RunSummary, TurnSummary } from '../types.js';
import { EXIT_AGENT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import { installInterruptHandlers } from './interrupt.js';
import { herdCommand } from './invocation.js';
import { resolveQueueUrl } from '../queue/queue-url.js';
import { createEventSinks, printJson, writeErr } from './output.js';
import type { RepoFlags } from './repo-flags.js';
import { buildSpawnRun, type SpawnFlags } from './spawn-tasks.js';

export interface CommonRunFlags {
  concurrency?: string;
  workspaceRoot?: string;
  claudeBin?: string;
  codexBin?: string;
  geminiBin?: string;
  simulate?: boolean;
  simulateLatency?: string;
  env?: string[];
  envAllow?: string[];
  killGrace?: string;
  retries?: string;
  retryTimeouts?: boolean;
  stagger?: string;
  json?: boolean;
  quiet?: boolean;
  events?: string;
  /** --queue: a Redis URL, or true for $HERD_REDIS_URL. */
  queue?: string | true;
  maxCost?: string;
  warnCost?: string;
  prices?: string;
  sandbox?: boolean;
  sandboxNetwork?: string;
}

export interface MultiTurnFlags {
  /** Follow-up prompts, one turn each after the first. */
  then?: string[];
  /** Undefined unless --keep-alive or --no-keep-alive was given. */
  keepAlive?: boolean;
  keepAliveIdle?: string;
}

export async function spawnCommand(prompt: string | undefined, flags: SpawnFlags & RepoFlags & CommonRunFlags & MultiTurnFlags): Promise<number> {
  const { tasks, budget, repo } = await buildSpawnRun(prompt, flags);
  const followUps = flags.then ?? [];
  if (followUps.some((followUp) => followUp.trim() === '')) throw new UsageError('--then: expected a follow-up prompt, got an empty one');
  const options = { ...budget, ...supervisorOptionsFromFlags(flags) };
  // Warm processes only pay off from the second turn on, so --then turns them on by default (not on queue workers).
  if ((flags.keepAlive ?? followUps.length > 0) && options.queue === undefined) options.keepAlive = true;
  if (flags.keepAliveIdle !== undefined) options.keepAliveIdleMs = parsePositiveDuration('--keep-alive-idle', flags.keepAliveIdle);
  return runWithUi(flags, options, async (supervisor, signal) => {
    let summary = await supervisor.run(tasks, { signal, ...(repo ? { repo } : {}) });
    for (const followUp of followUps) {
      if (signal.aborted || summary.status === 'cancelled' || notLoggedIn(summary)) break;
      // Each turn is recorded exactly as `herd continue <runId> <followUp>` would record it.
      summary = await supervisor.continue(summary.runId, followUp, { signal });
    }
    return summary;
  });
}

/** Every agent of the latest turn failed to log in: the next turn would fail the same way. */
const notLoggedIn = (summary: RunSummary) => summary.turns.at(-1)?.agents.every((agent) => agent.error?.reason === 'auth') === true;

// The run id may be `latest` or a unique prefix (store/run-ref.ts).
export async function continueCommand(runRef: string, prompt: string, flags: CommonRunFlags & { agent?: string[] }): Promise<number> {
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, async (supervisor, signal) =>
    supervisor.continue(await resolveRunId(supervisor.workspaceRoot, runRef), prompt, { ...(flags.agent ? { agents: flags.agent } : {}), signal }),
  );
}

export async function resumeCommand(runRef: string, flags: CommonRunFlags & { retryFailed?: boolean }): Promise<number> {
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, async (supervisor, signal) =>
    supervisor.resume(await resolveRunId(supervisor.workspaceRoot, runRef), { ...(flags.retryFailed ? { retryFailed: true } : {}), signal }),
  );
}

export function supervisorOptionsFromFlags(flags: CommonRunFlags, env: NodeJS.ProcessEnv = process.env): SupervisorOptions {
  const options: SupervisorOptions = {};
  if (flags.maxCost !== undefined) options.maxCostUsd = parsePositiveNumber('--max-cost', flags.maxCost);
  if (flags.warnCost !== undefined) options.warnCostUsd = parsePositiveNumber('--warn-cost', flags.warnCost);
  const prices = flags.prices ?? (env.HERD_PRICES || undefined);
  if (prices !== undefined) options.prices = loadPriceFile(prices, flags.prices === undefined ? 'HERD_PRICES' : '--prices');
  if (flags.sandboxNetwork !== undefined && !flags.sandbox) throw new UsageError('--sandbox-network applies with --sandbox only');
  if (flags.sandbox) options.sandbox = flags.sandboxNetwork === 'off' ? { network: false } : true;
  if (flags.concurrency !== undefined) options.concurrency = parseConcurrency('-c/--concurrency', flags.concurrency);
  if (flags.workspaceRoot !== undefined) options.workspaceRoot = flags.workspaceRoot;
  if (flags.claudeBin !== undefined) options.claudeBin = flags.claudeBin;
  if (flags.codexBin !== undefined) options.codexBin = flags.codexBin;
  if (flags.geminiBin !== undefined) options.geminiBin = flags.geminiBin;
  // --simulate-latency implies --simulate: it means nothing against a real API.
  if (flags.simulate || flags.simulateLatency !== undefined)
    options.simulate = flags.simulateLatency === undefined ? {} : { latencyMs: parseDuration('--simulate-latency', flags.simulateLatency) };
  if (flags.env?.length) options.env = Object.fromEntries(flags.env.map((assignment) => parseEnvAssignment('--env', assignment)));
  if (flags.envAllow?.length) options.envAllow = flags.envAllow.flatMap((names) => names.split(',')).filter(Boolean);
  if (flags.killGrace !== undefined) options.killGraceMs = parseDuration('--kill-grace', flags.killGrace);
  if (flags.retries !== undefined) options.retries = parseNonNegativeInt('--retries', flags.retries, 20);
  if (flags.retryTimeouts) options.retryTimeouts = true;
  const queue = resolveQueueUrl(flags.queue);
  if (queue) options.queue = queue.url;
  if (flags.stagger === 'auto') options.startSlots = os.availableParallelism();
  else if (flags.stagger !== undefined) {
    // A fixed spacing (or 0: all at once) replaces the default start gate.
    options.startStaggerMs = parseDuration('--stagger', flags.stagger);
    options.startSlots = 0;
  }
  return options;
}

async function runWithUi(
  flags: CommonRunFlags,
  options: SupervisorOptions,
  work: (supervisor: Supervisor, signal: AbortSignal) => Promise<RunSummary>,
): Promise<number> {
  const sinks = createEventSinks(flags);
  const supervisor = new Supervisor({ ...options, onEvent: sinks.listener });
  const interrupt = installInterruptHandlers(writeErr);
  let summary: RunSummary;
  let turnsBefore: number | undefined;
  const countTurnsBefore = (event: HerdEvent) => {
    if (event.type === 'run.start' && turnsBefore === undefined) turnsBefore = event.turn - 1;
  };
  const stopCounting = supervisor.on(countTurnsBefore);
  try {
    summary = await work(supervisor, interrupt.signal);
  } finally {
    stopCounting();
    // Warm processes end with the command (herd's exit would kill them anyway, less gently).
    await supervisor.close();
    interrupt.dispose();
    await sinks.close();
  }
  // The turns this command ran: one, or several with spawn --then (a resume reopens its last turn).
  const turns = summary.turns.slice(Math.min(turnsBefore ?? summary.turns.length - 1, summary.turns.length - 1));
  // A record that says "cancelled" counts only if this command ran a turn (a resume that found nothing to run did not).
  const interrupted = interrupt.received !== undefined || (turnsBefore !== undefined && summary.status === 'cancelled');
  if (turnsBefore === undefined && !interrupted) {
    // Nothing started (a resume of a finished run): say so instead of reprinting an old table.
    if (flags.json) printJson(summary);
    const failed = turns.at(-1)?.agents.some((agent) => agent.status === 'failed' || agent.status === 'timeout') ?? false;
    writeErr(
      `herd: nothing to resume in run ${summary.runId}: every agent finished${failed ? ' (failed ones run again with --retry-failed)' : ''}; see ${herdCommand()} show ${summary.runId}\n`,
    );
    // The exit code still says how the run ended.
    return failed ? EXIT_AGENT_FAILED : EXIT_OK;
  }
  printSummary(summary, turns, flags, interrupted);
  if (interrupted) {
    writeErr(interruptedNote(summary, supervisor.workspaceRoot, herdCommand(), options.queue === undefined ? '' : ' --queue <url>'));
    return EXIT_INTERRUPTED;
  }
  // herd itself failed the run (its event log could not be written) though the agents ran.
  if (summary.error !== undefined) {
    writeErr(`herd: ${summary.error}\n`);
    return EXIT_AGENT_FAILED;
  }
  return turns.length > 0 && turns.every((turn) => turn.agents.every((agent) => agent.status === 'succeeded')) ? EXIT_OK : EXIT_AGENT_FAILED;
}

function printSummary(summary: RunSummary, turns: readonly TurnSummary[], flags: CommonRunFlags, interrupted: boolean): void {
  if (flags.json) printJson(summary);
  if (flags.quiet && flags.json) return;
  if (turns.length === 0) return;
  const width = Math.max(30, (process.stderr.columns ?? 120) - 60);
  const tables = turns.map((turn) => renderTurn(turn, width));
  writeErr(`\n${tables.join('\n\n')}\n${closingLines(summary, turns, interrupted, '', herdCommand())}`);
}

/** After the tables: the simulated-answers warning (when there are answers) and what to do next. */
export function closingLines(summary: RunSummary, turns: readonly TurnSummary[], interrupted: boolean, agentOption = '', herd = 'herd'): string {
  const agents = turns.flatMap((turn) => turn.agents);
  const succeeded = agents.some((agent) => agent.status === 'succeeded');
  const simulatedNote =
    summary.simulated && succeeded ? "\nThese answers are SIMULATED by herd's stand-in model API (--simulate), not written by a real model.\n" : '';
  // An interrupted run is finished with resume (interruptedNote), not continued.
  if (interrupted) return simulatedNote;
  // On a repository: where the work is and how to bring it back.
  const repo = summary.repo ? `changes: ${herd} diff ${summary.runId} [--agent <id>]   ·   bring one in: ${herd} apply ${summary.runId} --agent <id>\n` : '';
  // Not logged in: every agent fails the same way, and only the person can fix it.
  if (!summary.simulated && agents.some((agent) => agent.error?.reason === 'auth'))
    return `${simulatedNote}\nherd: claude is not logged in to the model API: set ANTHROPIC_API_KEY, or run \`claude\` once and log in, or add --simulate to try herd with its stand-in API\n`;
  // One stopped at its cap goes on with more money.
  const stopped = turns.at(-1)?.agents.filter((agent) => agent.status === 'budget').length ?? 0;
  if (stopped > 0) return `${simulatedNote}${budgetNote(summary, stopped, herd)}${repo}`;
  // Nothing to continue from: say where the errors are, and how to run the agents again.
  if (!succeeded)
    return `${simulatedNote}\nrun ${summary.runId}: no agent succeeded; details: ${herd} show ${summary.runId}   ·   run them again: ${herd} resume ${summary.runId} --retry-failed\n${repo}`;
  return `${simulatedNote}\nrun ${summary.runId}: continue with  ${herd} continue ${summary.runId} "<follow-up>"${agentOption}   ·   details: ${herd} show ${summary.runId}\n${repo}`;
}

/** What the cap stopped, what was spent, and the command that goes on. */
export function budgetNote(summary: RunSummary, stopped: number, herd = 'herd'): string {
  const spent = summary.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0);
  const cap = summary.budget?.maxCostUsd;
  const of = cap === undefined ? '' : ` of its ${formatUsd(cap)} cap`;
  const agents = `${stopped} agent${stopped === 1 ? ' was' : 's were'} stopped or not started`;
  return `\nrun ${summary.runId} reached its spending cap: ${formatUsd(spent)} spent${of}; ${agents}.\nfinish them with:  ${herd} resume ${summary.runId} --max-cost <more than ${formatUsd(cap ?? spent)}>\n`;
}

export function interruptedNote(summary: RunSummary, workspaceRoot: string, herd = 'herd', resumeOptions = ''): string {
  return `\nrun ${summary.runId} was interrupted; finished results are saved in ${workspaceRoot}/${summary.runId}/run.json\nfinish it with:  ${herd} resume ${summary.runId}${resumeOptions}\n`;
}
