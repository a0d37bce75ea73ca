// Compete + judge on a repository, with command agents: candidates in their own worktrees,
// a judge shown each candidate's check and diff, `pick: check` deciding without a judge
// agent (smallest passing change), and `baseFrom` starting a task from the winner's commit.

import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask } from '../../src/types.js';
import { buildWorkflow } from '../../src/workflow/graph.js';
import type { WorkflowSpec } from '../../src/workflow/spec.js';
import { workflowFromContent } from '../../src/workflow/workflow-file.js';
import { makeTempDir } from '../helpers.js';
import { gitIn, makeRepo } from '../repo/git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
beforeEach(async () => {
  temp = await makeTempDir('herd-repo-workflow-');
  root = path.join(temp.path, 'project');
  await makeRepo(root, { 'value.txt': 'start\n' });
});
afterEach(async () => {
  await temp.cleanup();
});

/** Appends lines to value.txt: the item of a fan-out decides how many (so the candidates' changes differ in size). */
const candidate = (): Omit<AgentTask, 'id' | 'prompt'> => ({
  agent: 'command',
  command: ['sh', '-c', 'i=0; while [ $i -lt "$1" ]; do echo "line $i" >> value.txt; i=$((i+1)); done; echo "wrote $1 lines"', 'agent'],
  check: ['sh', '-c', 'test "$(wc -l < value.txt)" -ne 3'],
});

describe('compete on a repository', () => {
  it('pick: check chooses the smallest change whose check passed, without running a judge; baseFrom starts from its commit', async () => {
    const spec: WorkflowSpec = {
      tasks: [
        // Lines written: 3, 1, 2 -> value.txt has 4, 2 and 3 lines; the check fails at 3 lines (impl-3).
        { id: 'impl', each: ['3', '1', '2'], prompt: '{{item}}', ...candidate() },
        { id: 'best', judge: 'impl', pick: 'check', prompt: 'pick' },
        { id: 'fix', baseFrom: 'best', prompt: 'fixed', agent: 'command', command: ['sh', '-c', 'echo "$1" >> value.txt', 'agent'] },
      ],
    };
    const summary = await new Supervisor({ workspaceRoot: path.join(temp.path, 'runs') }).runWorkflow(spec, { repo: { dir: root } });
    const byId = new Map(summary.agents.map((agent) => [agent.id, agent]));
    expect([...byId.values()].map((agent) => [agent.id, agent.status])).toEqual([
      ['impl-1', 'succeeded'],
      ['impl-2', 'succeeded'],
      ['impl-3', 'succeeded'],
      ['best', 'succeeded'],
      ['fix', 'succeeded'],
    ]);
    expect(byId.get('impl-3')?.check?.status).toBe('failed');
    expect(summary.workflow?.judgements).toEqual([
      {
        judge: 'best',
        of: 'impl',
        candidates: ['impl-1', 'impl-2', 'impl-3'],
        winner: 'impl-2',
        reason: 'its check passed with the smallest change (1 file(s), +1 -0) of 2 passing candidate(s): impl-2, impl-1',
        source: 'check',
      },
    ]);
    // No agent ran for the pick: no attempt, no worktree, no branch.
    expect(byId.get('best')?.attempts).toBe(0);
    expect(gitIn(root, ['branch', '--list', `herd/${summary.runId}/best`])).toBe('');
    // fix started from impl-2's commit: one line of commits, implement -> fix.
    const fixChange = byId.get('fix')!.change!;
    expect(fixChange.from).toBe(byId.get('impl-2')!.change!.to);
    expect(gitIn(root, ['show', `herd/${summary.runId}/fix:value.txt`])).toBe('start\nline 0\nfixed');
  });

  it("a judge agent is shown each candidate's check result and diff", async () => {
    const spec: WorkflowSpec = {
      tasks: [
        { id: 'impl', each: ['1', '2'], prompt: '{{item}}', ...candidate() },
        { id: 'judge', judge: 'impl', prompt: 'Choose the best.', agent: 'command', command: ['sh', '-c', 'echo "WINNER: impl-1"', 'judge'] },
      ],
    };
    const summary = await new Supervisor({ workspaceRoot: path.join(temp.path, 'runs') }).runWorkflow(spec, { repo: { dir: root } });
    const judge = summary.agents.find((agent) => agent.id === 'judge')!;
    expect(judge.status).toBe('succeeded');
    expect(judge.prompt).toContain('### Candidate impl-1\nwrote 1 lines\n\nIts work on the repository:\ncheck: passed (sh -c');
    expect(judge.prompt).toContain('change: 1 file(s), +1 -0\n```diff\ndiff --git a/value.txt b/value.txt');
    expect(judge.prompt).toMatch(/### Candidate impl-2[\s\S]*\+line 1\n```/);
    expect(summary.workflow?.judgements[0]).toMatchObject({ winner: 'impl-1', source: 'text' });
  });

  it('pick: check fails with the reason when no candidate passed', async () => {
    const spec: WorkflowSpec = {
      tasks: [
        { id: 'impl', each: ['2', '2'], prompt: '{{item}}', ...candidate() },
        { id: 'best', judge: 'impl', pick: 'check', prompt: 'pick' },
      ],
    };
    const summary = await new Supervisor({ workspaceRoot: path.join(temp.path, 'runs') }).runWorkflow(spec, { repo: { dir: root } });
    expect(summary.agents.find((agent) => agent.id === 'best')).toMatchObject({
      status: 'failed',
      error: { reason: 'protocol', message: 'no candidate passed its check (impl-1: failed, impl-2: failed)' },
    });
  });

  it('refuses baseFrom without a git repository, and baseFrom on a fan-out', async () => {
    const supervisor = new Supervisor({ workspaceRoot: path.join(temp.path, 'runs') });
    const tasks = [
      { id: 'a', prompt: 'x', agent: 'command' as const, command: ['true'] },
      { id: 'b', prompt: 'y', baseFrom: 'a', agent: 'command' as const, command: ['true'] },
    ];
    await expect(supervisor.runWorkflow({ tasks })).rejects.toThrow(/field "baseFrom": starting from another task's commit needs a git repository/);
    await expect(supervisor.runWorkflow({ tasks: [{ ...tasks[0]!, each: ['1', '2'] }, tasks[1]!] }, { repo: { dir: root } })).rejects.toThrow(
      /"a" runs several agents; start from a judge of it/,
    );
  });

  it('reads repo, base, pick and baseFrom from a workflow file (the repository relative to the file)', async () => {
    const spec = await workflowFromContent(
      {
        defaults: { repo: '../project', base: 'main', check: 'npm test' },
        tasks: [
          { id: 'impl', compete: 3, prompt: 'Fix the bug' },
          { id: 'best', judge: 'impl', pick: 'check' },
          { id: 'review', baseFrom: 'best', prompt: 'Review and fix' },
        ],
      },
      path.join(temp.path, 'flows', 'fix.yaml'),
    );
    expect(spec.repo).toEqual({ dir: root, base: 'main' });
    expect(spec.tasks.map((task) => [task.id, task.pick, task.baseFrom, task.check])).toEqual([
      ['impl', undefined, undefined, 'npm test'],
      ['best', 'check', undefined, 'npm test'],
      ['review', undefined, 'best', 'npm test'],
    ]);
    const workflow = buildWorkflow(spec);
    expect(workflow.groups.find((group) => group.id === 'review')).toMatchObject({ baseFrom: 'best', dependsOn: ['best'] });
    // A pick runs no agent: it needs neither claude nor a check.
    expect(workflow.agents.find((agent) => agent.task.id === 'best')?.task).toEqual({
      id: 'best',
      prompt: 'pick: check among the candidates of impl',
      agent: 'command',
      command: ['true'],
    });
  });
});
