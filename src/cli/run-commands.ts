// `herd spawn` and `herd continue`: build the supervisor from flags, run with Ctrl-C
// handling and progress, print the account, and return the exit code. `spawn --then` runs
// several turns in one command, on warm processes unless told otherwise.

import os from 'node:os';
import { UsageError } from '../errors.js';
import { parseConcurrency, parseDuration, parseEnvAssignment, parseNonNegativeInt, parsePositiveDuration } from '../options.js';
import { renderTurn } from '../report/summary-text.js';
import { Supervisor, type SupervisorOptions } from '../supervisor/supervisor.js';
import type { HerdEvent } from '../events.js';
import type { RunSummary, TurnSummary } from '../types.js';
import { EXIT_AGENT_FAILED, EXIT_INTERRUPTED, EXIT_OK } from './exit-codes.js';
import { installInterruptHandlers } from './interrupt.js';
import { createEventSinks, printJson, writeErr } from './output.js';
import type { RepoFlags } from './repo-flags.js';
import { buildSpawnRun, type SpawnFlags } from './spawn-tasks.js';

export interface CommonRunFlags {
  concurrency?: string;
  workspaceRoot?: string;
  claudeBin?: string;
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
}

export interface MultiTurnFlags {
  /** Follow-up prompts, one turn each after the first. */
  then?: string[];
  /** Undefined unless --keep-alive or --no-keep-alive was given. */
  keepAlive?: boolean;
  keepAliveIdle?: string;
}

export async function spawnCommand(prompt: string | undefined, flags: SpawnFlags & RepoFlags & CommonRunFlags & MultiTurnFlags): Promise<number> {
  const { tasks, repo } = await buildSpawnRun(prompt, flags);
  const followUps = flags.then ?? [];
  if (followUps.some((followUp) => followUp.trim() === '')) throw new UsageError('--then: expected a follow-up prompt, got an empty one');
  const options = supervisorOptionsFromFlags(flags);
  // Warm processes only pay off from the second turn on, so --then turns them on by default.
  if (flags.keepAlive ?? followUps.length > 0) options.keepAlive = true;
  if (flags.keepAliveIdle !== undefined) options.keepAliveIdleMs = parsePositiveDuration('--keep-alive-idle', flags.keepAliveIdle);
  return runWithUi(flags, options, async (supervisor, signal) => {
    let summary = await supervisor.run(tasks, { signal, ...(repo ? { repo } : {}) });
    for (const followUp of followUps) {
      if (signal.aborted || summary.status === 'cancelled') break;
      // Each turn is recorded exactly as `herd continue <runId> <followUp>` would record it.
      summary = await supervisor.continue(summary.runId, followUp, { signal });
    }
    return summary;
  });
}

export async function continueCommand(runId: string, prompt: string, flags: CommonRunFlags & { agent?: string[] }): Promise<number> {
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, (supervisor, signal) => supervisor.continue(runId, prompt, { ...(flags.agent ? { agents: flags.agent } : {}), signal }));
}

export async function resumeCommand(runId: string, flags: CommonRunFlags & { retryFailed?: boolean }): Promise<number> {
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, (supervisor, signal) => supervisor.resume(runId, { ...(flags.retryFailed ? { retryFailed: true } : {}), signal }));
}

export function supervisorOptionsFromFlags(flags: CommonRunFlags): SupervisorOptions {
  const options: SupervisorOptions = {};
  if (flags.concurrency !== undefined) options.concurrency = parseConcurrency('-c/--concurrency', flags.concurrency);
  if (flags.workspaceRoot !== undefined) options.workspaceRoot = flags.workspaceRoot;
  if (flags.claudeBin !== undefined) options.claudeBin = flags.claudeBin;
  // --simulate-latency implies --simulate: it means nothing against a real API.
  if (flags.simulate || flags.simulateLatency !== undefined)
    options.simulate = flags.simulateLatency === undefined ? {} : { latencyMs: parseDuration('--simulate-latency', flags.simulateLatency) };
  if (flags.env?.length) options.env = Object.fromEntries(flags.env.map((assignment) => parseEnvAssignment('--env', assignment)));
  if (flags.envAllow?.length) options.envAllow = flags.envAllow.flatMap((names) => names.split(',')).filter(Boolean);
  if (flags.killGrace !== undefined) options.killGraceMs = parseDuration('--kill-grace', flags.killGrace);
  if (flags.retries !== undefined) options.retries = parseNonNegativeInt('--retries', flags.retries, 20);
  if (flags.retryTimeouts) options.retryTimeouts = true;
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
      `herd: nothing to resume in run ${summary.runId}: every agent finished${failed ? ' (failed ones run again with --retry-failed)' : ''}; see herd show ${summary.runId}\n`,
    );
    // The exit code still says how the run ended.
    return failed ? EXIT_AGENT_FAILED : EXIT_OK;
  }
  printSummary(summary, turns, flags, interrupted);
  if (interrupted) {
    writeErr(interruptedNote(summary, supervisor.workspaceRoot));
    return EXIT_INTERRUPTED;
  }
  return turns.length > 0 && turns.every((turn) => turn.agents.every((agent) => agent.status === 'succeeded')) ? EXIT_OK : EXIT_AGENT_FAILED;
}

function printSummary(summary: RunSummary, turns: readonly TurnSummary[], flags: CommonRunFlags, interrupted: boolean): void {
  if (flags.json) printJson(summary);
  if (flags.quiet && flags.json) return;
  if (turns.length === 0) return;
  const width = Math.max(30, (process.stderr.columns ?? 120) - 60);
  const tables = turns.map((turn) => renderTurn(turn, width));
  writeErr(`\n${tables.join('\n\n')}\n${closingLines(summary, turns, interrupted)}`);
}

/** After the tables: the simulated-answers warning (when there are answers) and what to do next. */
export function closingLines(summary: RunSummary, turns: readonly TurnSummary[], interrupted: boolean, agentOption = ''): string {
  const answered = turns.some((turn) => turn.agents.some((agent) => agent.result !== undefined));
  const simulatedNote =
    summary.simulated && answered ? "\nThese answers are SIMULATED by herd's stand-in model API (--simulate), not written by a real model.\n" : '';
  // An interrupted run is finished with resume (interruptedNote), not continued.
  const next = interrupted
    ? ''
    : `\nrun ${summary.runId}: continue with  herd continue ${summary.runId} "<follow-up>"${agentOption}   ·   details: herd show ${summary.runId}\n`;
  // On a repository: where the work is and how to bring it back.
  const repo =
    summary.repo && !interrupted ? `changes: herd diff ${summary.runId} [--agent <id>]   ·   bring one in: herd apply ${summary.runId} --agent <id>\n` : '';
  return `${simulatedNote}${next}${repo}`;
}

export function interruptedNote(summary: RunSummary, workspaceRoot: string): string {
  return `\nrun ${summary.runId} was interrupted; finished results are saved in ${workspaceRoot}/${summary.runId}/run.json\nfinish it with:  herd resume ${summary.runId}\n`;
}
