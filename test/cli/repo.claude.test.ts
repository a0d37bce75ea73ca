// Agents on a repository, end to end: the real claude binary on herd's stand-in API edits a
// file in its own worktree (Read, then Edit), herd commits each agent's change on its branch,
// runs the check, and the user reviews with herd diff, brings one in with herd apply (which
// refuses a dirty tree and aborts a conflict cleanly), and herd clean leaves the repository
// as it was before the run.

import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { herdCommand } from '../../src/cli/invocation.js';
import { cliMain, makeTempDir, runCli } from '../helpers.js';
import { gitIn, makeRepo } from '../repo/git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
let before: { worktrees: string; branches: string };
beforeAll(async () => {
  temp = await makeTempDir('herd-repo-claude-');
  root = path.join(temp.path, 'project');
  base = await makeRepo(root, { 'app.js': 'const value = 1;\nexport default value;\n', 'README.md': 'A project.\n' });
  before = { worktrees: gitIn(root, ['worktree', 'list']), branches: gitIn(root, ['branch', '--list']) };
});
afterAll(async () => {
  await temp.cleanup();
});

// Run from the repository's top, as a user would: runs land in ./workspaces inside it.
const herd = (args: string[]) => runCli(args, { cwd: root, env: { HERD_HOME: '' } });

describe('five claude agents on one repository', () => {
  let summary: RunSummary;

  it('each edits the same file differently in its own worktree; every change is on its branch and the user tree is untouched', async () => {
    const values = [2, 3, 4, 5, 6];
    await writeFile(
      path.join(temp.path, 'tasks.yaml'),
      JSON.stringify({
        defaults: { permissionMode: 'acceptEdits' },
        tasks: values.map((value, index) => ({ id: `a${index + 1}`, prompt: `Set the value to ${value} [sim:edit app.js value = 1=>value = ${value}]` })),
      }),
    );
    const run = await herd([
      'spawn',
      '--tasks',
      path.join(temp.path, 'tasks.yaml'),
      '--repo',
      '.',
      '--check',
      `sh -c "grep -qE 'value = (2|4);' app.js"`,
      '--simulate',
      '--simulate-latency',
      '0s',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.repo).toMatchObject({ root, baseSha: base, kind: 'worktree' });
    for (const [index, agent] of summary.agents.entries()) {
      expect(agent.status, agent.error?.message).toBe('succeeded');
      const branch = `herd/${summary.runId}/a${index + 1}`;
      expect(agent.change).toMatchObject({ branch, from: base, files: 1, insertions: 1, deletions: 1, paths: ['app.js'] });
      expect(gitIn(root, ['show', `${branch}:app.js`])).toBe(`const value = ${values[index]};\nexport default value;`);
      expect(agent.check?.status).toBe(values[index] === 2 || values[index] === 4 ? 'passed' : 'failed');
    }
    expect(gitIn(root, ['rev-parse', 'HEAD'])).toBe(base);
    expect(gitIn(root, ['status', '--porcelain'])).toBe('');
    expect(await readFile(path.join(root, 'app.js'), 'utf8')).toBe('const value = 1;\nexport default value;\n');
    // The table says it too.
    expect(run.stderr).toMatch(/a1 +succeeded .* 1 file \+1 -1 +passed/);
    expect(run.stderr).toMatch(/a2 +succeeded .* 1 file \+1 -1 +failed \(exit 1\)/);
    // The hint names herd as it was run (here node <path to the bundle>, from the repository's top).
    expect(run.stderr).toContain(`${herdCommand(cliMain, root)} apply ${summary.runId} --agent <id>`);
  });

  it('herd diff shows a diffstat per agent, and one agent diff against the base', async () => {
    const table = await herd(['diff', summary.runId]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^agent +status +files +added +removed +check +branch$/);
    expect(table.stdout).toMatch(new RegExp(`a2 +succeeded +1 +\\+1 +-1 +failed \\(exit 1\\) +herd/${summary.runId}/a2`));
    expect(table.stdout).toMatch(new RegExp(`a3 +succeeded +1 +\\+1 +-1 +passed +herd/${summary.runId}/a3`));
    const diff = await herd(['diff', summary.runId, '--agent', 'a3']);
    expect(diff.stdout).toContain('-const value = 1;\n+const value = 4;');
    const stat = await herd(['diff', summary.runId, '--agent', 'a3', '--stat']);
    expect(stat.stdout).toMatch(/app\.js \| 2 \+-\n 1 file changed, 1 insertion\(\+\), 1 deletion\(-\)/);
  });

  it('herd apply refuses a dirty tree, merges a passing agent, then aborts a conflicting one leaving the repository as it was', async () => {
    await writeFile(path.join(root, 'README.md'), 'A project, edited.\n');
    const dirty = await herd(['apply', summary.runId, '--agent', 'a1']);
    expect(dirty.code).toBe(2);
    expect(dirty.stderr).toMatch(/^herd: .* has uncommitted changes \(1 path\(s\)\): commit or stash them first, then apply\n$/);
    gitIn(root, ['checkout', '--', 'README.md']);
    expect(gitIn(root, ['rev-parse', 'HEAD'])).toBe(base);

    const applied = await herd(['apply', summary.runId, '--agent', 'a1']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(/applied a1 \(herd\/.*\/a1\): fast-forwarded main/);
    expect(await readFile(path.join(root, 'app.js'), 'utf8')).toBe('const value = 2;\nexport default value;\n');
    const afterApply = gitIn(root, ['rev-parse', 'HEAD']);

    const conflict = await herd(['apply', summary.runId, '--agent', 'a3']);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe('herd: applying a3 conflicts with your branch in 1 file(s); nothing was changed (merge aborted):\n  app.js\n');
    expect(gitIn(root, ['rev-parse', 'HEAD'])).toBe(afterApply);
    expect(gitIn(root, ['status', '--porcelain'])).toBe('');
    expect(await readFile(path.join(root, 'app.js'), 'utf8')).toBe('const value = 2;\nexport default value;\n');

    const unknown = await herd(['apply', summary.runId, '--agent', 'nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^herd: run .* has no agent "nobody"; its agents are: a1, a2, a3, a4, a5\n$/);
  });

  it('herd clean removes the worktrees and branches: git worktree list and git branch are as before the run', async () => {
    const clean = await herd(['clean', summary.runId]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stderr).toContain(`removed 5 branch(es) herd/${summary.runId}/*`);
    expect({ worktrees: gitIn(root, ['worktree', 'list']), branches: gitIn(root, ['branch', '--list']) }).toEqual({
      ...before,
      // The one real change: the branch moved to the applied commit.
      worktrees: before.worktrees.replace(base.slice(0, 7), gitIn(root, ['rev-parse', '--short=7', 'HEAD'])),
    });
    expect(gitIn(root, ['status', '--porcelain'])).toBe('');
  });
});
