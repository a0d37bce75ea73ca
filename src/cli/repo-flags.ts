// The flags that put agents on the user's code (--repo, --base, --include-dirty, --copy) and
// the per-task commands around their turns (--check, --setup), shared by spawn and run.

import { UsageError } from '../errors.js';
import { parsePositiveDuration } from '../options.js';
import type { AgentTask, RepoOptions } from '../types.js';

export interface RepoFlags {
  repo?: string;
  base?: string;
  includeDirty?: boolean;
  copy?: string;
  check?: string;
  checkTimeout?: string;
  setup?: string;
  setupTimeout?: string;
}

/** --repo/--copy as RepoOptions; `fromFile` (a task file's defaults.repo) when no flag names one. */
export function repoOptionsFromFlags(flags: RepoFlags, fromFile?: RepoOptions): RepoOptions | undefined {
  if (flags.repo === undefined && flags.copy === undefined) {
    if (fromFile) return { ...fromFile, ...(flags.base === undefined ? {} : { base: flags.base }), ...(flags.includeDirty ? { includeDirty: true } : {}) };
    if (flags.base !== undefined) throw new UsageError('--base applies with --repo <dir> (the repository the agents work on)');
    if (flags.includeDirty) throw new UsageError('--include-dirty applies with --repo <dir> (the repository the agents work on)');
    return undefined;
  }
  const repo: RepoOptions = {};
  if (flags.repo !== undefined) repo.dir = flags.repo;
  if (flags.copy !== undefined) repo.copy = flags.copy;
  if (flags.base !== undefined) repo.base = flags.base;
  if (flags.includeDirty) repo.includeDirty = true;
  return repo;
}

/** --check/--setup and their timeouts as task fields (defaults for every task). */
export function commandDefaultsFromFlags(flags: RepoFlags): Pick<AgentTask, 'check' | 'setup' | 'checkTimeoutMs' | 'setupTimeoutMs'> {
  const defaults: Pick<AgentTask, 'check' | 'setup' | 'checkTimeoutMs' | 'setupTimeoutMs'> = {};
  if (flags.check !== undefined) defaults.check = flags.check;
  if (flags.setup !== undefined) defaults.setup = flags.setup;
  if (flags.checkTimeout !== undefined) defaults.checkTimeoutMs = parsePositiveDuration('--check-timeout', flags.checkTimeout);
  if (flags.setupTimeout !== undefined) defaults.setupTimeoutMs = parsePositiveDuration('--setup-timeout', flags.setupTimeout);
  return defaults;
}
