// Run ids as a person types them: `latest` (or `-`, `@`) for the newest run, a full id, or
// any prefix only one run has. Every CLI command that takes a run id goes through here.

import path from 'node:path';
import { UsageError } from '../errors.js';
import { validateId } from '../options.js';
import { classifyRunDir, runDirNames, type RunDirKind } from './run-dirs.js';
import { listRuns } from './run-store.js';

/** Shorthands for the newest run. */
export const LATEST_RUN = ['latest', '-', '@'] as const;

export interface ResolveOptions {
  /** Also match run directories without a record (for `herd clean`). */
  includeDebris?: boolean;
}

/**
 * The run id `ref` stands for. UsageError (exit 2) when no run matches, and when a prefix
 * matches several (naming them).
 */
export async function resolveRunId(root: string, ref: string, options: ResolveOptions = {}): Promise<string> {
  const resolvedRoot = path.resolve(root);
  if ((LATEST_RUN as readonly string[]).includes(ref)) {
    // Newest by the record's start time (listRuns' order): ids chosen with --run-id do not sort by date.
    const latest = (await listRuns(resolvedRoot)).runs[0];
    if (latest === undefined) throw new UsageError(`"${ref}" stands for the newest run, but there are no runs in ${resolvedRoot}`);
    return latest.runId;
  }
  // A prefix is checked like a whole id: nothing in it can leave the root.
  validateId('run id', ref);
  const kinds: RunDirKind[] = options.includeDebris ? ['run', 'debris'] : ['run'];
  if (kinds.includes(await classifyRunDir(resolvedRoot, ref))) return ref;
  const matches = (await runDirNames(resolvedRoot, kinds)).filter((name) => name.startsWith(ref));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new UsageError(`unknown run id "${ref}" in ${resolvedRoot}; see \`herd runs\``);
  const shown = matches.slice(0, 10).join(', ');
  throw new UsageError(`run id "${ref}" matches ${matches.length} runs: ${shown}${matches.length > 10 ? ', ...' : ''}; give more of it`);
}
