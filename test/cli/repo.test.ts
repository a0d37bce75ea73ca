// Repository runs through the CLI with fake agents: SIGKILL of herd mid-run then herd resume
// (finished agents' commits stay, the others continue in their worktrees, a vanished one is
// recreated from its branch), bad input (exit 2, one line, nothing created), and --copy.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, makeTempDir, runCli, waitFor } from '../helpers.js';
import { gitIn, makeRepo, writeFiles } from '../repo/git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
beforeEach(async () => {
  temp = await makeTempDir('herd-repo-cli-');
  root = path.join(temp.path, 'project');
  base = await makeRepo(root, { 'app.js': 'const value = 1;\n' });
});
afterEach(async () => {
  await temp.cleanup();
});

const workspaces = () => path.join(root, 'workspaces');
const herd = (args: string[]) => runCli(args, { cwd: root, env: { HERD_HOME: '', HERD_CLAUDE_BIN: fakeClaude } });
const runIds = () => (existsSync(workspaces()) ? readdirSync(workspaces()) : []);
const readSummary = () => JSON.parse(readFileSync(path.join(workspaces(), runIds()[0]!, 'run.json'), 'utf8')) as RunSummary;

describe('herd on a repository, through the CLI', () => {
  it('after SIGKILL, herd resume keeps finished commits, continues in the existing worktree and recreates a vanished one', async () => {
    const tasks = path.join(temp.path, 'tasks.json');
    await writeFile(
      tasks,
      JSON.stringify([
        { id: 'done', prompt: 'mode:ok' },
        { id: 'kept', prompt: 'mode:hang-once' },
        { id: 'lost', prompt: 'mode:hang-once' },
      ]),
    );
    const killed = await runCli(['spawn', '--tasks', tasks, '--repo', '.'], {
      cwd: root,
      env: { HERD_HOME: '', HERD_CLAUDE_BIN: fakeClaude },
      onSpawn: (child) => {
        void waitFor(
          () => {
            if (runIds().length === 0 || !existsSync(path.join(workspaces(), runIds()[0]!, 'run.json'))) return false;
            const summary = readSummary();
            const running = summary.agents.filter((agent) => agent.sessionId !== undefined && agent.status === 'running');
            return summary.agents.find((agent) => agent.id === 'done')?.status === 'succeeded' && running.length === 2;
          },
          20_000,
          'one result and two sessions on disk',
        ).then(() => child.kill('SIGKILL'));
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const before = readSummary();
    const done = before.agents.find((agent) => agent.id === 'done')!;
    expect(done.change?.to).toBe(gitIn(root, ['rev-parse', `herd/${before.runId}/done`]));
    // The hanging agents wrote started.pid in their worktrees; one worktree then disappears.
    const kept = path.join(workspaces(), before.runId, 'kept');
    const lost = path.join(workspaces(), before.runId, 'lost');
    expect(existsSync(path.join(kept, 'started.pid'))).toBe(true);
    await rm(lost, { recursive: true, force: true });

    const resumed = await herd(['resume', before.runId, '--json', '-q']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const after = JSON.parse(resumed.stdout) as RunSummary;
    expect(after.agents.find((agent) => agent.id === 'done')).toEqual(done);
    const keptResult = after.agents.find((agent) => agent.id === 'kept')!;
    expect(keptResult.result).toMatch(/^finished on resume of fake-/);
    // What the agent did before the kill is in its commit: it continued in the same worktree.
    expect(keptResult.change).toMatchObject({ from: base, paths: ['started.pid'] });
    const lostResult = after.agents.find((agent) => agent.id === 'lost')!;
    expect(lostResult.status).toBe('succeeded');
    expect(existsSync(path.join(lost, '.git'))).toBe(true);
    expect(lostResult.change).toMatchObject({ from: base, files: 0 });
    expect(gitIn(lost, ['rev-parse', '--abbrev-ref', 'HEAD'])).toBe(`herd/${before.runId}/lost`);
    expect(gitIn(root, ['status', '--porcelain'])).toBe('');
  });

  it('refuses bad input with one line and exit 2, creating nothing', async () => {
    const plain = path.join(temp.path, 'plain');
    await writeFiles(plain, { 'a.txt': 'x\n' });
    const cases: Array<[string[], RegExp]> = [
      [
        ['spawn', 'x', '--repo', plain],
        /^herd: --repo .*plain: not inside a git work tree \(start one with: git init .*; or give --copy .* to work on copies\)\n$/,
      ],
      [['spawn', 'x', '--repo', '.', '--base', 'v9'], /^herd: --base v9: not a commit in .*project\n$/],
      [['spawn', 'x', '--base', 'main'], /^herd: --base applies with --repo <dir> \(the repository the agents work on\)\n$/],
      [['spawn', 'x', '--repo', '.', '--copy', plain], /^herd: give --repo <dir> or --copy <dir>, not both\n$/],
      [['spawn', 'x', '--repo', '.', '--check', "sh -c 'oops"], /^herd: agent "agent-1": check: unclosed single quote in .*\n$/],
      [['diff', 'no-such-run'], /^herd: unknown run id "no-such-run" .*\n$/],
    ];
    for (const [args, message] of cases) {
      const run = await herd(args);
      expect([run.code, run.stderr], args.join(' ')).toEqual([2, expect.stringMatching(message)]);
    }
    const tasks = path.join(temp.path, 'tasks.json');
    await writeFile(
      tasks,
      JSON.stringify([
        { id: 'fix.lock', prompt: 'x' },
        { id: 'fix-lock', prompt: 'y' },
      ]),
    );
    const collide = await herd(['spawn', '--tasks', tasks, '--repo', '.']);
    expect(collide.code).toBe(2);
    expect(collide.stderr).toMatch(/^herd: agent ids "fix.lock" and "fix-lock" would both work on branch herd\/.*\/fix-lock; rename one of them\n$/);
    expect(runIds()).toEqual([]);
    expect(gitIn(root, ['branch', '--list'])).toBe('* main');
    expect(gitIn(root, ['worktree', 'list']).split('\n')).toHaveLength(1);
  });

  it('says in one line that uncommitted changes are left out', async () => {
    await writeFile(path.join(root, 'app.js'), 'const value = 99;\n');
    const run = await herd(['spawn', 'mode:ok', '--repo', '.']);
    expect(run.code, run.stderr).toBe(0);
    expect(
      run.stderr.match(
        /warning: .*project has uncommitted changes \(1 path\); agents start from HEAD \([0-9a-f]{12}\) without them \(--include-dirty carries them\)/g,
      ),
    ).toHaveLength(1);
  });

  it('--copy works on a directory that is no repository: copies without .git and node_modules, records, diffs and applies as a patch', async () => {
    const plain = path.join(temp.path, 'plain');
    await writeFiles(plain, { 'notes.txt': 'one\n', 'node_modules/big/index.js': 'x\n', 'src/lib.txt': 'lib\n' });
    const agent1 = path.join(temp.path, 'agent.sh');
    await writeFile(agent1, 'echo two >> notes.txt\necho new > added.txt\n');
    const run = await runCli(['spawn', 'edit it', '--copy', plain, '--json', '-q', '--command', 'sh', agent1], {
      cwd: temp.path,
      env: { HERD_HOME: path.join(temp.path, 'runs') },
    });
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout) as RunSummary;
    const agent = summary.agents[0]!;
    expect(summary.repo).toMatchObject({ kind: 'copy', root: plain });
    expect(existsSync(path.join(agent.workspace, 'node_modules'))).toBe(false);
    expect(await readFile(path.join(agent.workspace, 'src/lib.txt'), 'utf8')).toBe('lib\n');
    expect(agent.change).toMatchObject({ files: 2, insertions: 2, deletions: 0 });
    expect(agent.change?.paths.sort()).toEqual(['added.txt', 'notes.txt']);
    const env = { HERD_HOME: path.join(temp.path, 'runs') };
    const diff = await runCli(['diff', summary.runId, '--agent', 'agent-1'], { cwd: temp.path, env });
    expect(diff.stdout).toContain('+two');
    const applied = await runCli(['apply', summary.runId, '--agent', 'agent-1'], { cwd: temp.path, env });
    expect(applied.code, applied.stderr).toBe(0);
    expect(await readFile(path.join(plain, 'notes.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(await readFile(path.join(plain, 'added.txt'), 'utf8')).toBe('new\n');
    // Applying it again conflicts (the lines are there already): nothing is changed.
    const again = await runCli(['apply', summary.runId, '--agent', 'agent-1'], { cwd: temp.path, env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/conflicts with .*plain in \d file\(s\); nothing was changed/);
    expect(await readFile(path.join(plain, 'notes.txt'), 'utf8')).toBe('one\ntwo\n');
  });
});
