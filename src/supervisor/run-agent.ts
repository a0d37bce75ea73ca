// runAgent: one agent, one prompt, from a script, without a run record. Makes (or uses) a
// workspace, starts the simulate server if asked, and returns the AgentResult.
//
// How it differs from an agent of a Supervisor run, on purpose: there is no run home, so a
// simulated claude keeps its sessions in `<workspace>/.claude-config` (a run keeps them in
// `<runHome>/.claude-config`, shared by its agents); no retries, no start gate, no record.
// The environment rules are the same (envAllow, env, the tag), through the same buildAgentEnv.

import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildAgentEnv } from '../attempt/agent-env.js';
import { resolveAgentBin } from '../agents/agent-bin.js';
import { createAdapter } from '../agents/create-adapter.js';
import type { PriceTable } from '../agents/prices.js';
import { prepareAgentHome } from '../attempt/agent-home.js';
import { AgentRunError } from '../errors.js';
import { validateTasks } from '../options.js';
import { createRedactor } from '../secrets/redact.js';
import { executeAgentTurn, requireStructuredOutput } from '../attempt/cold-attempt.js';
import { simulateEnv, startSimulateServer, type SimulateOptions } from '../simulate/server.js';
import type { AgentResult, AgentTask } from '../types.js';
import { seedFiles } from '../workspace/workspace.js';

export interface RunAgentOptions {
  /** Working directory of the agent (default: a new private temp directory). */
  workspace?: string;
  claudeBin?: string;
  /** Executables of the other vendor CLIs (default: $HERD_CODEX_BIN / $HERD_GEMINI_BIN, PATH, node_modules). */
  codexBin?: string;
  geminiBin?: string;
  /** Prices for CLIs that report tokens but no cost (default: the built-in table). */
  prices?: PriceTable;
  simulate?: boolean | SimulateOptions;
  resumeSessionId?: string;
  signal?: AbortSignal;
  killGraceMs?: number;
  /** Throw an AgentRunError instead of returning a result whose status is not "succeeded". */
  throwOnFailure?: boolean;
  /** Added to the agent's environment (as Supervisor's `env`). */
  env?: Record<string, string>;
  /** Inherit only these variables (names or PREFIX_*), plus the essentials, as Supervisor's `envAllow`. */
  envAllow?: string[];
}

export async function runAgent(task: AgentTask, options: RunAgentOptions = {}): Promise<AgentResult> {
  validateTasks([task]);
  const explicit = { claude: options.claudeBin, codex: options.codexBin, gemini: options.geminiBin };
  const adapter = createAdapter(task.agent, (kind) => resolveAgentBin(kind, explicit[kind]));
  const workspace = options.workspace ?? (await mkdtemp(path.join(os.tmpdir(), `herd-${task.id}-`)));
  if (task.files) await seedFiles(workspace, task.files);
  const server = options.simulate ? await startSimulateServer(options.simulate === true ? {} : options.simulate) : undefined;
  const tag = `single/${task.id}/${randomBytes(4).toString('hex')}`;
  try {
    // Like claude's config dir under --simulate, a vendor CLI's own config lives beside the work, so a later resume finds its session.
    const privateDir = path.join(workspace, '.herd-agent');
    const home = await prepareAgentHome({ adapter, task, dir: privateDir, inheritedEnv: process.env, ...(server ? { simulateUrl: server.url } : {}) });
    const claudeSimulated =
      server && adapter.name === 'claude' ? { ...simulateEnv(server, task.id), CLAUDE_CONFIG_DIR: path.join(workspace, '.claude-config') } : {};
    const turnResult = await executeAgentTurn(task, {
      adapter,
      workspace,
      env: buildAgentEnv({
        inherited: process.env,
        ...(options.envAllow ? { allow: options.envAllow } : {}),
        ...(server ? { simulate: { ...claudeSimulated, ...home } } : {}),
        extra: { ...(server ? {} : home), ...options.env, HERD_AGENT_ID: task.id },
        tag,
      }),
      tag,
      privateDir,
      ...(options.prices ? { prices: options.prices } : {}),
      redact: createRedactor(process.env, options.env, task.env),
      ...(options.resumeSessionId === undefined ? {} : { resumeSessionId: options.resumeSessionId }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.killGraceMs === undefined ? {} : { killGraceMs: options.killGraceMs }),
    });
    const result = requireStructuredOutput(task, turnResult);
    if (options.throwOnFailure && result.status !== 'succeeded') {
      throw new AgentRunError(result.error?.reason ?? 'exit', `${task.id} ${result.status}: ${result.error?.message ?? ''}`);
    }
    return result;
  } finally {
    await server?.close();
  }
}
