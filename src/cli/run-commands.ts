// `herd spawn` and `herd continue`: build the supervisor from flags, run with Ctrl-C
// handling and progress, print the account, and return the exit code.

import { parseDuration, parseEnvAssignment, parseNonNegativeInt, parsePositiveInt } from '../options.js';
import { renderTurn } from '../report/summary-text.js';
import { Supervisor, type SupervisorOptions } from '../supervisor.js';
import type { RunSummary } from '../types.js';
import { installInterruptHandlers } from './interrupt.js';
import { createEventSinks, printJson, writeErr } from './output.js';
import { buildSpawnTasks, type SpawnFlags } from './spawn-tasks.js';

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
  json?: boolean;
  quiet?: boolean;
  events?: string;
}

export const EXIT_OK = 0;
export const EXIT_AGENT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export async function spawnCommand(prompt: string | undefined, flags: SpawnFlags & CommonRunFlags): Promise<number> {
  const tasks = await buildSpawnTasks(prompt, flags);
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, (supervisor, signal) => supervisor.run(tasks, { signal }));
}

export async function continueCommand(runId: string, prompt: string, flags: CommonRunFlags & { agent?: string[] }): Promise<number> {
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, (supervisor, signal) => supervisor.continue(runId, prompt, { ...(flags.agent ? { agents: flags.agent } : {}), signal }));
}

export async function resumeCommand(runId: string, flags: CommonRunFlags & { retryFailed?: boolean }): Promise<number> {
  const options = supervisorOptionsFromFlags(flags);
  return runWithUi(flags, options, (supervisor, signal) => supervisor.resume(runId, { ...(flags.retryFailed ? { retryFailed: true } : {}), signal }));
}

function supervisorOptionsFromFlags(flags: CommonRunFlags): SupervisorOptions {
  const options: SupervisorOptions = {};
  if (flags.concurrency !== undefined) options.concurrency = parsePositiveInt('-c/--concurrency', flags.concurrency, 1000);
  if (flags.workspaceRoot !== undefined) options.workspaceRoot = flags.workspaceRoot;
  if (flags.claudeBin !== undefined) options.claudeBin = flags.claudeBin;
  // --simulate-latency implies --simulate: it means nothing against a real API.
  if (flags.simulate || flags.simulateLatency !== undefined) options.simulate = flags.simulateLatency === undefined ? {} : { latencyMs: parseDuration('--simulate-latency', flags.simulateLatency) };
  if (flags.env?.length) options.env = Object.fromEntries(flags.env.map((assignment) => parseEnvAssignment('--env', assignment)));
  if (flags.envAllow?.length) options.envAllow = flags.envAllow.flatMap((names) => names.split(',')).filter(Boolean);
  if (flags.killGrace !== undefined) options.killGraceMs = parseDuration('--kill-grace', flags.killGrace);
  if (flags.retries !== undefined) options.retries = parseNonNegativeInt('--retries', flags.retries, 20);
  if (flags.retryTimeouts) options.retryTimeouts = true;
  return options;
}

async function runWithUi(flags: CommonRunFlags, options: SupervisorOptions, work: (supervisor: Supervisor, signal: AbortSignal) => Promise<RunSummary>): Promise<number> {
  const sinks = createEventSinks(flags);
  const supervisor = new Supervisor({ ...options, onEvent: sinks.listener });
  const interrupt = installInterruptHandlers(writeErr);
  let summary: RunSummary;
  try {
    summary = await work(supervisor, interrupt.signal);
  } finally {
    interrupt.dispose();
    await sinks.close();
  }
  printSummary(summary, flags);
  if (interrupt.received !== undefined || summary.status === 'cancelled') {
    writeErr(`\nrun ${summary.runId} was interrupted; finished results are saved in ${supervisor.workspaceRoot}/${summary.runId}/run.json\nfinish it with:  herd resume ${summary.runId}\n`);
    return EXIT_INTERRUPTED;
  }
  const latest = summary.turns.at(-1);
  return latest && latest.agents.every((agent) => agent.status === 'succeeded') ? EXIT_OK : EXIT_AGENT_FAILED;
}

function printSummary(summary: RunSummary, flags: CommonRunFlags): void {
  if (flags.json) printJson(summary);
  if (flags.quiet && flags.json) return;
  const latest = summary.turns.at(-1);
  if (!latest) return;
  const width = Math.max(30, (process.stderr.columns ?? 120) - 60);
  const simulatedNote = summary.simulated ? "\nThese answers are SIMULATED by herd's stand-in model API (--simulate), not written by a real model.\n" : '';
  writeErr(`\n${renderTurn(latest, width)}\n${simulatedNote}\nrun ${summary.runId}: continue with  herd continue ${summary.runId} "<follow-up>"   ·   details: herd show ${summary.runId}\n`);
}
