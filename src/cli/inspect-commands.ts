// `herd runs`, `herd show` and `herd clean`: reading and removing run records.

import path from 'node:path';
import { UsageError } from '../errors.js';
import { validateId } from '../options.js';
import { renderRepoLines, renderRun, renderRunList } from '../report/summary-text.js';
import { listRuns, readRun, RUN_FILE } from '../store/run-store.js';
import { cleanRunRepository } from '../supervisor/repo-commands.js';
import { defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import { renderWorkflowAccount } from '../workflow/render-workflow.js';
import { pathExists, removeRunHome } from '../workspace/workspace.js';
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
  for (const name of unreadable) writeErr(`warning: ${name} has no readable ${RUN_FILE}; skipped\n`);
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

export async function showCommand(runId: string, flags: RootFlag & { json?: boolean; agent?: string }): Promise<number> {
  const summary = await readRun(rootOf(flags), validateId('run id', runId));
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
    writeOut(`${renderRun(summary, Math.max(30, (process.stdout.columns ?? 120) - 60))}\n${summary.workflow ? `\n${renderWorkflowAccount(summary)}\n` : ''}`);
  return 0;
}

export async function cleanCommand(runId: string | undefined, flags: RootFlag & { all?: boolean; keepBranches?: boolean }): Promise<number> {
  const root = rootOf(flags);
  if ((runId === undefined) === !flags.all) throw new UsageError('clean: give a run id or --all (not both)');
  const ids = runId !== undefined ? [validateId('run id', runId)] : (await listRuns(root)).runs.map((run) => run.runId);
  for (const id of ids) {
    // Only directories that hold a run record are removed: a mistyped root must not lose other files.
    if (!(await pathExists(path.join(root, id, RUN_FILE)))) throw new UsageError(`unknown run id "${id}" in ${root}`);
    await cleanRepository(root, id, flags.keepBranches === true);
    await removeRunHome(root, id);
    writeErr(`removed ${path.join(root, id)}\n`);
  }
  if (ids.length === 0) writeErr(`no runs in ${root}\n`);
  return 0;
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
