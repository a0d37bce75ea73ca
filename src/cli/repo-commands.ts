// `herd diff` and `herd apply`: an agent's work on a repository, shown or brought into the
// user's current branch.

import path from 'node:path';
import { resolveRunId } from '../store/run-ref.js';
import { readRun } from '../store/run-store.js';
import { agentDiff, applyAgent, repoOf, runDiffTable } from '../supervisor/repo-commands.js';
import { defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import { EXIT_AGENT_FAILED, EXIT_OK } from './exit-codes.js';
import { wantsColor, writeErr, writeOut } from './output.js';

interface RootFlag {
  workspaceRoot?: string;
}

const rootOf = (flags: RootFlag) => path.resolve(flags.workspaceRoot ?? defaultWorkspaceRoot());

// The run id may be `latest` or a unique prefix, as everywhere (store/run-ref.ts).
export async function diffCommand(runRef: string, flags: RootFlag & { agent?: string; stat?: boolean }): Promise<number> {
  const summary = await readRun(rootOf(flags), await resolveRunId(rootOf(flags), runRef));
  repoOf(summary);
  if (flags.agent === undefined) {
    writeOut(`${await runDiffTable(summary)}\n`);
    return EXIT_OK;
  }
  // git's own colours when a person reads it on a terminal.
  const color = process.stdout.isTTY === true && wantsColor(process.env);
  writeOut(await agentDiff(summary, flags.agent, { stat: flags.stat === true, color }));
  return EXIT_OK;
}

export async function applyCommand(runRef: string, flags: RootFlag & { agent: string; squash?: boolean }): Promise<number> {
  const summary = await readRun(rootOf(flags), await resolveRunId(rootOf(flags), runRef));
  const repo = repoOf(summary);
  const outcome = await applyAgent(summary, flags.agent, flags.squash === true);
  if (outcome.applied) {
    const how =
      repo.kind === 'copy'
        ? `patched ${outcome.into}`
        : `${flags.squash ? 'squashed into' : outcome.fastForward ? 'fast-forwarded' : 'merged into'} ${outcome.into} (now ${outcome.head.slice(0, 12)})`;
    writeErr(`applied ${flags.agent} (${outcome.branch}): ${how}\n`);
    return EXIT_OK;
  }
  if ('nothing' in outcome) {
    writeErr(`${flags.agent} changed nothing: nothing to apply\n`);
    return EXIT_OK;
  }
  if (outcome.conflicts.length > 0) {
    writeErr(
      `herd: applying ${flags.agent} conflicts with ${repo.kind === 'copy' ? repo.root : 'your branch'} in ${outcome.conflicts.length} file(s); nothing was changed (merge aborted):\n${outcome.conflicts.map((file) => `  ${file}\n`).join('')}`,
    );
  } else writeErr(`herd: applying ${flags.agent} failed; nothing was changed: ${outcome.message}\n`);
  return EXIT_AGENT_FAILED;
}
