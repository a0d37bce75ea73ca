// Running one queued agent job on this machine, with the same machinery as a local run
// (attempt/ + agents/ + process/ + workspace/): the workspace under the worker's own root,
// the worker's own environment and credentials (the job brings only its task), the start
// gate, timeouts and process groups. What the worker will not run (command agents unless
// allowed, a simulated run on a worker with the real API or the reverse) is a failed result
// with reason 'refused', never an exception.

import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { AgentAdapter } from '../agents/adapter.js';
import { createAdapter } from '../agents/create-adapter.js';
import { resolveAgentBin } from '../agents/agent-bin.js';
import { buildAgentEnv } from '../attempt/agent-env.js';
import { executeAgentTurn } from '../attempt/cold-attempt.js';
import type { ParsedSignal } from '../agents/adapter.js';
import type { StartGate } from '../pool/start-gate.js';
import { validateId } from '../options.js';
import { killTaggedProcesses } from '../process/kill-tree.js';
import { createResult } from '../results.js';
import { createRedactor } from '../secrets/redact.js';
import { simulateEnv, type SimulateServer } from '../simulate/server.js';
import type { AgentResult, FailureReason } from '../types.js';
import { createAgentWorkspace, createPrivateDirectory, pathExists, seedFiles } from '../workspace/workspace.js';
import type { AgentJob } from './protocol.js';

/**
 * Variables a task may not set on a worker (unless it runs commands anyway, --allow-command):
 * they would send the worker's own credentials elsewhere (ANTHROPIC_BASE_URL with its key) or
 * make a program load code the task seeded into its workspace (LD_PRELOAD, BASH_ENV, ...).
 */
const UNSAFE_TASK_ENV =
  /^(ANTHROPIC_|CLAUDE_|AWS_|GOOGLE_|AZURE_|LD_|DYLD_|GIT_)|^(HERD_AGENT_TAG|BASH_ENV|ENV|NODE_OPTIONS|NODE_PATH|PATH|HOME|SHELL|PROMPT_COMMAND|PERL5OPT|PERL5LIB|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|RUBYOPT|RUBYLIB|HTTPS?_PROXY|ALL_PROXY|https?_proxy|all_proxy|NO_PROXY|no_proxy|SSL_CERT_FILE|NODE_EXTRA_CA_CERTS)$/;

/** util-linux's setpriv: `--pdeathsig KILL` makes the agent die the moment its worker does. */
const SETPRIV = '/usr/bin/setpriv';

export interface JobRunnerOptions {
  workerId: string;
  workspaceRoot: string;
  /** This worker's stand-in model API (`herd worker --simulate`); undefined: the real API. */
  simulateServer: SimulateServer | undefined;
  /** Command agents: true = any, a list = only these programs, false = none. */
  allowCommand: boolean | readonly string[];
  /** Resolves the claude executable (throws a UsageError when there is none). */
  claudeBin: () => string;
  /** The worker's own environment: its credentials, not the submitter's. */
  inheritedEnv: NodeJS.ProcessEnv;
  startGate: StartGate | undefined;
  /** Wrap agents in setpriv --pdeathsig KILL (false where setpriv is missing). */
  dieWithWorker: boolean;
}

export interface JobHooks {
  signal: AbortSignal;
  /** The job ran before somewhere (its worker died): what that run left on this machine goes first. */
  rerun: boolean;
  onStart(workspace: string): void;
  onSignal(signal: ParsedSignal): void;
}

export function canDieWithWorker(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    accessSync(SETPRIV, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why this worker will not run the job, or undefined when it will. */
export function refusalOf(job: AgentJob, options: Pick<JobRunnerOptions, 'workerId' | 'allowCommand' | 'simulateServer'>): string | undefined {
  if (job.version !== 1)
    return `worker ${options.workerId} does not understand this job (format ${String(job.version)}): run the same herd version on every machine`;
  // The ids become directory names under the worker's root: a queue writer must not choose a path.
  try {
    validateId('run id', job.runId);
    validateId('agent id', job.agentId);
  } catch (error) {
    return `worker ${options.workerId} refuses this job: ${(error as Error).message}`;
  }
  if (options.allowCommand === false) {
    const unsafe = Object.keys(job.task.env ?? {}).filter((name) => UNSAFE_TASK_ENV.test(name));
    if (unsafe.length > 0)
      return `worker ${options.workerId} does not let a task set ${unsafe.join(', ')} (they could redirect its credentials or load code; allowed with --allow-command)`;
  }
  const kind = job.task.agent ?? 'claude';
  if (kind === 'command') {
    const program = job.task.command?.[0] ?? '';
    const allowed = options.allowCommand === true || (Array.isArray(options.allowCommand) && options.allowCommand.includes(program));
    if (!allowed)
      return options.allowCommand === false
        ? `worker ${options.workerId} does not run command agents (start it with --allow-command to allow them)`
        : `worker ${options.workerId} does not run the command ${JSON.stringify(path.basename(program))} (it allows: ${(options.allowCommand as string[]).join(', ')})`;
    return undefined;
  }
  const simulating = options.simulateServer !== undefined;
  if (job.simulated && !simulating)
    return `worker ${options.workerId} uses the real model API, and this run asked for --simulate (start workers with --simulate)`;
  if (!job.simulated && simulating) return `worker ${options.workerId} runs with --simulate, and this run asked for the real model API`;
  return undefined;
}

export async function runAgentJob(job: AgentJob, options: JobRunnerOptions, hooks: JobHooks): Promise<AgentResult> {
  const runHome = path.join(options.workspaceRoot, job.runId);
  const expectedWorkspace = path.join(runHome, job.agentId);
  const fail = (reason: FailureReason, message: string): AgentResult =>
    createResult({ id: job.agentId, workspace: expectedWorkspace, status: 'failed', attempts: job.attempt, error: { reason, message } });
  const refusal = refusalOf(job, options);
  if (refusal !== undefined) return fail('refused', refusal);
  if (hooks.rerun) await killTaggedProcesses(`${job.runId}/${job.agentId}/`, true);

  let workspace: string;
  let adapter: AgentAdapter;
  try {
    workspace = await prepareWorkspace(job, runHome, expectedWorkspace, options.workerId);
    // Workers run claude (and, when allowed, command) agents: refusalOf has refused the rest.
    adapter = createAdapter(job.task.agent, (kind) => (kind === 'claude' ? { file: options.claudeBin() } : resolveAgentBin(kind)));
  } catch (error) {
    const reason = error instanceof WorkspaceMissing ? 'worker-gone' : 'spawn';
    return fail(reason, (error as Error).message);
  }
  const release = options.startGate && (job.task.agent ?? 'claude') === 'claude' ? await options.startGate.acquire(hooks.signal) : () => undefined;
  try {
    if (hooks.signal.aborted)
      return createResult({ id: job.agentId, workspace, status: 'cancelled', error: { reason: 'canceled', message: 'not started: the run was cancelled' } });
    const tag = `${job.runId}/${job.agentId}/${randomBytes(4).toString('hex')}`;
    hooks.onStart(workspace);
    const result = await executeAgentTurn(job.task, {
      adapter: options.dieWithWorker ? dyingWithWorker(adapter) : adapter,
      workspace,
      env: await agentEnvironment(job, options, runHome, tag),
      tag,
      attempt: job.attempt,
      redact: createRedactor(options.inheritedEnv, job.task.env),
      signal: hooks.signal,
      ...(job.resumeSessionId === undefined ? {} : { resumeSessionId: job.resumeSessionId }),
      ...(job.killGraceMs === undefined ? {} : { killGraceMs: job.killGraceMs }),
      onSignal: (signal) => {
        // Its first line says the agent is up: the next one may start.
        release();
        hooks.onSignal(signal);
      },
    });
    return result;
  } finally {
    release();
  }
}

class WorkspaceMissing extends Error {}

/** A first turn gets a workspace (kept from an earlier try of the same job); a later turn needs the one it had. */
async function prepareWorkspace(job: AgentJob, runHome: string, workspace: string, workerId: string): Promise<string> {
  const continuing = job.turn > 1 || job.resumeSessionId !== undefined;
  if (await pathExists(workspace)) {
    if (!continuing && job.task.files) await seedFiles(workspace, job.task.files);
    return workspace;
  }
  if (continuing)
    throw new WorkspaceMissing(`the workspace of ${job.agentId} is not on worker ${workerId} (${workspace}): this turn must run where its earlier turns ran`);
  await createPrivateDirectory(runHome);
  const created = await createAgentWorkspace(runHome, job.agentId);
  if (job.task.files) await seedFiles(created, job.task.files);
  return created;
}

async function agentEnvironment(job: AgentJob, options: JobRunnerOptions, runHome: string, tag: string): Promise<Record<string, string>> {
  let simulated: Record<string, string> | undefined;
  if (options.simulateServer && (job.task.agent ?? 'claude') === 'claude') {
    // Claude writes sessions and settings here; a continuation finds them again on this worker.
    const configDir = path.join(runHome, '.claude-config');
    await createPrivateDirectory(configDir);
    simulated = { ...simulateEnv(options.simulateServer, job.agentId), CLAUDE_CONFIG_DIR: configDir };
  }
  return buildAgentEnv({
    inherited: options.inheritedEnv,
    ...(simulated ? { simulate: simulated } : {}),
    extra: { HERD_RUN_ID: job.runId, HERD_AGENT_ID: job.agentId },
    tag,
  });
}

/**
 * The agent's own process dies with the worker (SIGKILL included): setpriv sets its parent-death
 * signal and then execs it, so the pid and everything else stay the same. Its own children are
 * swept by tag when the job runs again.
 */
function dyingWithWorker(adapter: AgentAdapter): AgentAdapter {
  // Everything else as the adapter has it (parsing, stdout tail, judging); workers keep no warm processes.
  const { warm: _warm, ...rest } = adapter;
  return {
    ...rest,
    command: (task, turn) => {
      const spec = adapter.command(task, turn);
      return { ...spec, file: SETPRIV, args: ['--pdeathsig', 'KILL', '--', spec.file, ...spec.args] };
    },
  };
}
