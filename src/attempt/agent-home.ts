// An agent's private directory in its run, and the configuration its CLI keeps there: the
// adapter decides what goes in (a CODEX_HOME, a Gemini home, nothing for claude) and which
// variables point the CLI at it.

import { mkdir } from 'node:fs/promises';
import type { AgentAdapter } from '../agents/adapter.js';
import type { AgentTask } from '../types.js';

export interface AgentHomeOptions {
  adapter: AgentAdapter;
  task: AgentTask;
  /** The directory (created private, mode 0700, if missing). */
  dir: string;
  simulateUrl?: string;
  inheritedEnv: Readonly<Record<string, string | undefined>>;
}

/** The variables the adapter's configuration needs; {} for adapters that keep none. */
export async function prepareAgentHome(options: AgentHomeOptions): Promise<Record<string, string>> {
  if (!options.adapter.prepare) return {};
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  return options.adapter.prepare({
    task: options.task,
    dir: options.dir,
    inheritedEnv: options.inheritedEnv,
    ...(options.simulateUrl === undefined ? {} : { simulateUrl: options.simulateUrl }),
  });
}
