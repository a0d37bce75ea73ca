// `herd runs`, `herd show` and `herd clean`: reading and removing run records.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { renderRepoLines, renderRun, renderRunList } from '../report/summary-text.js';
import { realRoot, removeInterruptedRemovals, removeRun } from '../store/run-clean.js';
import { runDirNames } from '../store/run-dirs.js';
import { resolveRunId } from '../store/run-ref.js';
import { listRuns, readRun, RUN_FILE } from '../store/run-store.js';
import { cleanRunRepository } from '../supervisor/repo-commands.js';
import { defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import { renderWorkflowAccount } from '../workflow/render-workflow.js';
import { EXIT_AGENT_FAILED, EXIT_OK } from './exit-codes.js';
import { herdCommand } from './invocation.js';
import { printJson, writeErr, writeOut } from './output.js';

interface RootFlag {
  workspaceRoot?: string;
}

const rootOf = (flags: RootFlag) => path.resolve(flags.workspaceRoot ?? defaultWorkspaceRoot());

export async function runsCommand(flags: RootFlag & { json?: boolean; sort?: string }): Promise<number> {
  if (flags.sort !== undefined && flags.sort !== 'date' && flags.sort !== 'cost')
    throw new UsageError(`--sort: expected date or cost, got ${JSON.stringify(flags.sort)}`);
  const { runs, unreadable } = await listRuns(rootOf(flags));
  if (flags.sort === 'cost') runs.sort((a, b) => totalCost(b) - totalCost(a));
  for (const { runId, reason } of unreadable) writeErr(`warning: skipped ${runId}: ${reason}\n`);
  for (const name of await runDirNames(rootOf(flags), ['debris']))
    writeErr(`warning: skipped ${name}: no ${RUN_FILE} (a herd was killed or ran out of disk while creating it); \`herd clean ${name}\` removes it\n`);
  if (flags.json)
    printJson(
      runs.map((run) => ({
        runId: run.runId,
        startedAt: run.startedAt,
        status: run.status,
        agents: run.agents.length,
        turns: run.turns.length,
        costUsd: totalCost(run),
        simulated: run.simulated,
      })),
    );
  else writeOut(runs.length ? `${renderRunList(runs)}\n` : `no runs in ${rootOf(flags)}\n`);
  return 0;
}

const totalCost = (run: { turns: Array<{ totals: { costUsd: number } }> }) => run.turns.reduce((sum, turn) => sum + turn.totals.costUsd, 0);

export async function showCommand(runRef: string, flags: RootFlag & { json?: boolean; agent?: string }): Promise<number> {
  const runId = await resolveRunId(rootOf(flags), runRef);
  const summary = await readRun(rootOf(flags), runId);
  if (flags.agent !== undefined) {
    // A workflow task id (e.g. of a fan-out) stands for all of its agents, as in `continue --agent`.
    const ids = new Set(summary.workflow?.tasks.find((task) => task.id === flags.agent && !task.agents.includes(task.id))?.agents ?? [flags.agent]);
    const turns = summary.turns.flatMap((turn) =>
      turn.agents.filter((agent) => ids.has(agent.id)).map((agent) => ({ turn: turn.turn, prompt: turn.prompt, ...agent })),
    );
    if (turns.length === 0)
      throw new UsageError(`run ${runId} has no agent "${flags.agent}"; its agents are: ${summary.agents.map((agent) => agent.id).join(', ')}`);
    if (flags.json) printJson(turns);
    else
      for (const turn of turns)
        writeOut(
          `--- ${turn.id}, turn ${turn.turn} (${turn.status}, session ${turn.sessionId ?? 'none'})\n${turn.prompt === undefined ? '' : `prompt: ${turn.prompt.split('\n')[0]!.slice(0, 200)}\n`}${turn.result ?? turn.error?.message ?? ''}\n${renderRepoLines(turn)}`,
        );
    return 0;
  }
  if (flags.json) printJson(summary);
  else
    writeOut(
      `${renderRun(summary, Math.max(30, (process.stdout.columns ?? 120) - 60), herdCommand())}\n${summary.workflow ? `\n${renderWorkflowAccount(summary)}\n` : ''}`,
    );
  return 0;
}

/**
 * Remove one run (`runRef`: an id, a unique prefix or latest) or all of them. Directories are
 * found by name under the root, never by ids read from records; a run a live herd holds is
 * not removed: exit 2 for the one run asked for, exit 1 when --all had to leave some.
 */
export async function cleanCommand(runRef: string | undefined, flags: RootFlag & { all?: boolean; keepBranches?: boolean }): Promise<number> {
  if ((runRef === undefined) === !flags.all) throw new UsageError('clean: give a run id or --all (not both)');
  if (flags.all && !existsSync(rootOf(flags))) {
    writeErr(`no runs in ${rootOf(flags)}\n`);
    return EXIT_OK;
  }
  const root = await realRoot(rootOf(flags));
  if (runRef !== undefined) {
    reportRemoved(await removeRun(root, await resolveRunId(root, runRef, { includeDebris: true }), cleanRepositoryOf(root, flags)));
    return EXIT_OK;
  }
  for (const dir of await removeInterruptedRemovals(root)) writeErr(`removed ${dir} (an interrupted removal)\n`);
  const names = await runDirNames(root, ['run', 'debris']);
  if (names.length === 0) writeErr(`no runs in ${root}\n`);
  let kept = 0;
  for (const name of names) {
    try {
      reportRemoved(await removeRun(root, name, cleanRepositoryOf(root, flags)));
    } catch (error) {
      // A run in use (or one that changed under us) is left; the others are still removed.
      if (!(error instanceof UsageError)) throw error;
      writeErr(`herd: ${error.message}\n`);
      kept += 1;
    }
  }
  return kept === 0 ? EXIT_OK : EXIT_AGENT_FAILED;
}

function reportRemoved(removed: { home: string; kind: 'run' | 'debris' }): void {
  writeErr(`removed ${removed.home}${removed.kind === 'debris' ? ` (no ${RUN_FILE}: left by a herd that was killed or ran out of disk)` : ''}\n`);
}

/** Called by removeRun while it holds the run's lock, so a live run's worktrees are never touched. */
function cleanRepositoryOf(root: string, flags: { keepBranches?: boolean }): (name: string) => Promise<void> {
  return (name) => cleanRepository(root, name, flags.keepBranches === true);
}

/** A repository run's worktrees (and branches, unless kept) go before its directory does; a repository that is gone is only a warning. */
async function cleanRepository(root: string, runId: string, keepBranches: boolean): Promise<void> {
  const summary = await readRun(root, runId).catch(() => undefined);
  if (!summary?.repo) return;
  try {
    const removed = await cleanRunRepository(summary, root, keepBranches);
    if (removed?.branches.length) writeErr(`removed ${removed.branches.length} branch(es) ${summary.repo.branchPrefix}* from ${summary.repo.root}\n`);
  } catch (error) {
    writeErr(`warning: could not remove the worktrees of run ${runId} from ${summary.repo.root}: ${(error as Error).message}\n`);
  }
}
