// Agents on a repository: what a worktree per agent costs on a generated repository of 5,000
// files (~50 MB). (1) Preparing 10 workspaces: herd's worktrees (git worktree add, one at a
// time per repository) against a full copy and `git clone --shared` of the same tree. (2) The
// same batch of 10 claude agents (stand-in API, 2 s latency) with and without --repo. (3)
// herd's per-turn change recording (git add -A, commit-tree, numstat) per agent.
//
//   npx tsx bench/repo.ts [--files 5000] [--agents 10] [--simulate-latency 2s] [--rounds 3]

import { execFileSync } from 'node:child_process';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { recordChange } from '../src/repo/change.js';
import { prepareWorktree } from '../src/repo/worktree.js';
import type { RunSummary } from '../src/types.js';
import { ensureBuilt, fixed, flagValue, herdMain, machineLine, median, printTable, runTimed, seconds, withTempDir } from './lib.js';

const FILES = Number(flagValue('--files') ?? 5000);
const AGENTS = Number(flagValue('--agents') ?? 10);
const LATENCY = flagValue('--simulate-latency') ?? '2s';
const ROUNDS = Number(flagValue('--rounds') ?? 3);
const FILE_BYTES = 10 * 1024;

const IDENTITY = { GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@localhost', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@localhost' };
const git = (cwd: string, args: string[]) => execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY }, encoding: 'utf8' }).trim();

/** 5,000 text files of 10 KB in 50 directories, one commit. Content from a seeded generator: the same repository every time. */
async function generateRepository(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  git(dir, ['init', '-q', '--initial-branch=main']);
  let seed = 42;
  const word = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed % 100000).toString(36);
  };
  for (let index = 0; index < FILES; index += 1) {
    const file = path.join(dir, `pkg${index % 50}`, `mod${index % 7}`, `file${index}.txt`);
    await mkdir(path.dirname(file), { recursive: true });
    let text = '';
    while (text.length < FILE_BYTES) text += `${word()} ${word()} ${word()}\n`;
    await writeFile(file, text);
  }
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'generated']);
  // Packed, as a real repository's history is (5,000 loose objects would make the first checkout slow).
  git(dir, ['gc', '-q']);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function preparationTimes(repo: string, dir: string): Promise<Array<[string, number]>> {
  const base = git(repo, ['rev-parse', 'HEAD']);
  // One of each first, not counted: every method then reads a warm page cache.
  await prepareWorktree({ root: repo, dir: path.join(dir, 'warm', 'wt'), branch: 'bench/warm', startSha: base });
  await cp(repo, path.join(dir, 'warm', 'copy'), { recursive: true, filter: (from) => path.basename(from) !== '.git' });
  const indices = Array.from({ length: AGENTS }, (_, index) => index);
  // All requested at once, as herd's agents ask.
  const worktree = await timed(() =>
    Promise.all(indices.map((index) => prepareWorktree({ root: repo, dir: path.join(dir, 'wt', `a${index}`), branch: `bench/a${index}`, startSha: base }))),
  );
  const copy = await timed(() =>
    Promise.all(indices.map((index) => cp(repo, path.join(dir, 'copy', `a${index}`), { recursive: true, filter: (from) => path.basename(from) !== '.git' }))),
  );
  const clone = await timed(() =>
    Promise.all(
      indices.map((index) =>
        runTimed('git', ['clone', '-q', '--shared', repo, path.join(dir, 'clone', `a${index}`)]).then((run) => {
          if (run.code !== 0) throw new Error(`git clone --shared failed: ${run.stderr}`);
        }),
      ),
    ),
  );
  return [
    ['git worktree add (herd: entries one at a time, files one per core)', worktree],
    ['full copy (fs.cp, all at once)', copy],
    ['git clone --shared (all at once)', clone],
  ];
}

/** One file changed in a worktree of the big repository, recorded `times` times: herd's cost per agent and turn. */
async function recordingTimes(repo: string, dir: string, times: number): Promise<number[]> {
  const base = git(repo, ['rev-parse', 'HEAD']);
  const workspace = path.join(dir, 'record');
  await prepareWorktree({ root: repo, dir: workspace, branch: 'bench/record', startSha: base });
  const costs: number[] = [];
  let from = base;
  for (let turn = 1; turn <= times; turn += 1) {
    await writeFile(path.join(workspace, 'pkg1', 'mod1', 'file1.txt'), `turn ${turn}\n`);
    const change = await recordChange({ workspace, branch: 'bench/record', from, baseSha: base, message: `turn ${turn}`, identity: IDENTITY });
    costs.push(change.recordMs);
    from = change.to;
  }
  return costs;
}

async function batch(repo: string, home: string, withRepo: boolean): Promise<{ wallMs: number; summary: RunSummary }> {
  const args = [
    herdMain,
    'spawn',
    '-n',
    String(AGENTS),
    'Keep a note [sim:write notes.txt]',
    '--permission-mode',
    'acceptEdits',
    '--simulate',
    '--simulate-latency',
    LATENCY,
    '--json',
    '-q',
    ...(withRepo ? ['--repo', repo] : []),
  ];
  const run = await runTimed(process.execPath, args, { cwd: repo, env: { ...process.env, HERD_HOME: home } });
  if (run.code !== 0) throw new Error(`herd spawn failed (${run.code}):\n${run.stderr}`);
  return { wallMs: run.wallMs, summary: JSON.parse(run.stdout) as RunSummary };
}

async function main(): Promise<void> {
  await ensureBuilt();
  await withTempDir('herd-bench-repo-', async (dir) => {
    const repo = path.join(dir, 'project');
    const generated = await timed(() => generateRepository(repo));
    process.stderr.write(`generated ${FILES} files in ${seconds(generated)} s\n`);
    const prepared = await preparationTimes(repo, path.join(dir, 'prepare'));
    const recording = await recordingTimes(repo, path.join(dir, 'prepare'), 10);
    // The batches run from the repository's top with runs outside it (HERD_HOME), so both batches work alike.
    // Rounds alternate which batch goes first; medians are shown (the machine is shared).
    const walls = { without: [] as number[], with: [] as number[] };
    let recordedInRun: number[] = [];
    let withRepo: { wallMs: number; summary: RunSummary } | undefined;
    for (let round = 1; round <= ROUNDS; round += 1) {
      const order = round % 2 === 1 ? [false, true] : [true, false];
      for (const useRepo of order) {
        const result = await batch(repo, path.join(dir, `runs-${round}-${useRepo ? 'repo' : 'plain'}`), useRepo);
        (useRepo ? walls.with : walls.without).push(result.wallMs);
        if (!useRepo) continue;
        const failed = result.summary.agents.filter((agent) => agent.status !== 'succeeded' || agent.change?.files !== 1);
        if (failed.length > 0)
          throw new Error(`agents on the repository did not all succeed with one recorded file: ${failed.map((agent) => agent.id).join(', ')}`);
        recordedInRun = [...recordedInRun, ...result.summary.agents.map((agent) => agent.change?.recordMs ?? Number.NaN)];
        withRepo = result;
      }
    }
    const without = median(walls.without);
    const withWall = median(walls.with);
    const notes = withRepo!.summary;

    printTable({
      title: `Preparing ${AGENTS} workspaces of a ${FILES}-file repository (~${Math.round((FILES * FILE_BYTES) / 1e6)} MB)`,
      header: ['method', 'wall s', 'per workspace s'],
      rows: prepared.map(([method, ms]) => [method, seconds(ms), seconds(ms / AGENTS)]),
      notes: [machineLine()],
    });
    printTable({
      title: `${AGENTS} claude agents (stand-in API, ${LATENCY} latency), each writing one file`,
      header: ['batch', 'wall s', 'vs without'],
      rows: [
        ['without --repo (empty workspaces)', seconds(without), '1.00'],
        ['with --repo (a worktree each, every turn committed)', seconds(withWall), fixed(withWall / without)],
      ],
      notes: [
        `medians of ${ROUNDS} round(s), alternating order; without: ${walls.without.map(seconds).join(' / ')} s, with: ${walls.with.map(seconds).join(' / ')} s`,
        `worktrees are made when each agent starts, while the others run: the batch pays ${seconds(withWall - without)} s more (${fixed(((withWall - without) / without) * 100, 0)}% of the batch wall)`,
        `run ${notes.runId}: ${notes.agents.length} agents, ${notes.agents.filter((agent) => agent.change?.commit).length} commits recorded`,
      ],
    });
    printTable({
      title: 'herd recording one turn of one agent (git add -A, commit-tree, update-ref, numstat)',
      header: ['where', 'median ms', 'max ms'],
      rows: [
        ['one worktree, 10 turns in a row, nothing else running', fixed(median(recording), 0), fixed(Math.max(...recording), 0)],
        [
          `inside the batches (${AGENTS} agents ending together, ${recordedInRun.length} turns)`,
          fixed(median(recordedInRun), 0),
          fixed(Math.max(...recordedInRun), 0),
        ],
      ],
    });
  });
}

await main();
