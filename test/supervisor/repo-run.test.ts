// Runs on a repository through the Supervisor, with command agents (quick, no claude): each
// agent in its own worktree and branch, its change committed and recorded, check and setup
// commands, bad input refused before anything exists.

import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { AgentTask } from '../../src/types.js';
import { probeSandbox } from '../../src/sandbox/probe.js';
import { makeTempDir } from '../helpers.js';
import { gitIn, makeRepo } from '../repo/git-fixture.js';

let temp: { path: string; cleanup: () => Promise<void> };
let root: string;
let workspaceRoot: string;
let base: string;
beforeEach(async () => {
  temp = await makeTempDir('herd-repo-run-');
  root = path.join(temp.path, 'project');
  base = await makeRepo(root, { 'value.txt': 'start\n', 'README.md': 'project\n' });
  // The default layout: runs in ./workspaces inside the repository.
  workspaceRoot = path.join(root, 'workspaces');
});
afterEach(async () => {
  await temp.cleanup();
});

/** A command agent that writes its prompt into value.txt. */
const writer = (id: string, prompt: string, extra: Partial<AgentTask> = {}): AgentTask => ({
  id,
  prompt,
  agent: 'command',
  command: ['sh', '-c', 'printf "%s\\n" "$1" > value.txt', 'agent'],
  ...extra,
});

describe('a run on a repository', () => {
  it("gives 10 agents started at once each a worktree and branch; records each one's commit; leaves the user's tree alone", async () => {
    const events: HerdEvent[] = [];
    const supervisor = new Supervisor({ workspaceRoot, concurrency: 10, onEvent: (event) => events.push(event) });
    const tasks = Array.from({ length: 10 }, (_, index) => writer(`a${index + 1}`, `value ${index + 1}`));
    const summary = await supervisor.run(tasks, { repo: { dir: root } });
    expect(summary.agents.map((agent) => [agent.id, agent.status, agent.error?.message])).toEqual(tasks.map((task) => [task.id, 'succeeded', undefined]));
    expect(summary.repo).toMatchObject({ kind: 'worktree', root, base: 'HEAD', baseSha: base, dirty: false, branchPrefix: `herd/${summary.runId}/` });
    for (const [index, agent] of summary.agents.entries()) {
      const branch = `herd/${summary.runId}/a${index + 1}`;
      expect(agent.workspace).toBe(path.join(workspaceRoot, summary.runId, `a${index + 1}`));
      expect(agent.change).toMatchObject({ branch, from: base, files: 1, insertions: 1, deletions: 1, paths: ['value.txt'] });
      expect(gitIn(root, ['show', `${branch}:value.txt`])).toBe(`value ${index + 1}`);
      expect(gitIn(root, ['rev-parse', branch])).toBe(agent.change!.to);
    }
    // The user's tree: same commit, same files, nothing untracked (the run directory is excluded).
    expect(gitIn(root, ['rev-parse', 'HEAD'])).toBe(base);
    expect(gitIn(root, ['status', '--porcelain'])).toBe('');
    expect(await readFile(path.join(root, 'value.txt'), 'utf8')).toBe('start\n');
    expect(events.filter((event) => event.type === 'run.warning')).toEqual([]);
    const onDisk = JSON.parse(await readFile(path.join(workspaceRoot, summary.runId, 'run.json'), 'utf8')) as typeof summary;
    expect(onDisk.agents[0]?.change).toEqual(summary.agents[0]?.change);
  });

  it('records an unchanged turn as such, and a second turn against the first', async () => {
    const supervisor = new Supervisor({ workspaceRoot });
    const quiet: AgentTask = { id: 'quiet', prompt: 'nothing', agent: 'command', command: ['true'] };
    const first = await supervisor.run([writer('w', 'one'), quiet], { repo: { dir: root } });
    expect(first.agents[1]?.change).toMatchObject({ from: base, to: base, files: 0, sinceBase: { files: 0 } });
    const second = await supervisor.continue(first.runId, 'two', { agents: ['w'] });
    const change = second.turns[1]?.agents[0]?.change;
    expect(change).toMatchObject({ from: first.agents[0]?.change?.to, files: 1, sinceBase: { files: 1 } });
    expect(gitIn(root, ['log', '--format=%s', `herd/${first.runId}/w`]).split('\n')).toEqual([
      'herd: w, turn 2 of run ' + first.runId,
      'herd: w, turn 1 of run ' + first.runId,
      'start',
    ]);
  });

  it('runs the check after each turn (passed for some, failed for others) and the setup before the first', async () => {
    const check = ['sh', '-c', 'grep -q good value.txt || { echo "value.txt is not good"; exit 3; }'];
    const summary = await new Supervisor({ workspaceRoot }).run(
      [
        writer('good', 'good value', { check, setup: 'touch .ready' }),
        writer('bad', 'bad value', { check }),
        writer('no-setup', 'good', { setup: ['sh', '-c', 'echo cannot install >&2; exit 7'] }),
      ],
      { repo: { dir: root } },
    );
    const [good, bad, noSetup] = summary.agents;
    expect(good).toMatchObject({
      status: 'succeeded',
      check: { status: 'passed', exitCode: 0, command: check },
      setup: { status: 'passed', command: ['touch', '.ready'] },
    });
    // The setup's own files are part of the workspace, and so of the recorded change.
    expect(good?.change?.paths.sort()).toEqual(['.ready', 'value.txt']);
    expect(bad).toMatchObject({ status: 'succeeded', check: { status: 'failed', exitCode: 3, outputTail: 'value.txt is not good' } });
    expect(noSetup).toMatchObject({
      status: 'failed',
      attempts: 0,
      error: { reason: 'setup' },
      setup: { status: 'failed', exitCode: 7, outputTail: 'cannot install' },
    });
    expect(noSetup?.error?.message).toMatch(/^setup failed: exit 7 after/);
  });

  it('says when the tree has uncommitted changes, and carries them with includeDirty', async () => {
    await import('node:fs/promises').then((fs) => fs.writeFile(path.join(root, 'value.txt'), 'uncommitted\n'));
    const events: HerdEvent[] = [];
    const supervisor = new Supervisor({ workspaceRoot, onEvent: (event) => events.push(event) });
    const reader: AgentTask = { id: 'r', prompt: 'x', agent: 'command', command: ['cat', 'value.txt'], promptArg: false };
    const left = await supervisor.run([reader], { repo: { dir: root } });
    expect(left.agents[0]?.result).toBe('start');
    expect(events.find((event) => event.type === 'run.warning')).toMatchObject({ message: expect.stringContaining('has uncommitted changes (1 path)') });
    const carried = await supervisor.run([reader], { repo: { dir: root, includeDirty: true } });
    expect(carried.agents[0]?.result).toBe('uncommitted');
    expect(carried.repo?.includeDirty).toBe(true);
  });

  it('refuses bad input before creating anything: no repository, unknown base, ids that make one branch name', async () => {
    const supervisor = new Supervisor({ workspaceRoot });
    const tasks = [writer('a', 'x')];
    await expect(supervisor.run(tasks, { repo: { dir: temp.path } })).rejects.toThrow(/not inside a git work tree/);
    await expect(supervisor.run(tasks, { repo: { dir: root, base: 'nope' } })).rejects.toThrow(/--base nope: not a commit/);
    await expect(supervisor.run([writer('fix.lock', 'x'), writer('fix-lock', 'y')], { repo: { dir: root } })).rejects.toThrow(
      /agent ids "fix.lock" and "fix-lock" would both work on branch herd\/.+\/fix-lock/,
    );
    await expect(supervisor.run([writer('a', 'x', { check: 'npm test && npm run lint' })], { repo: { dir: root } })).rejects.toThrow(
      /"&&" needs a shell, and herd runs commands without one; write it as sh -c 'npm test && npm run lint'/,
    );
    expect(existsSync(workspaceRoot) ? await readdir(workspaceRoot) : []).toEqual([]);
    expect(gitIn(root, ['branch', '--list'])).toBe('* main');
  });

  it('refuses --queue with a repository or a check command: the worktree and check are here, a worker runs the agent elsewhere', async () => {
    // Port 1: nothing listens there; the refusal comes before any connection is tried.
    const supervisor = new Supervisor({ workspaceRoot, queue: 'redis://127.0.0.1:1' });
    await expect(supervisor.run([writer('a', 'x')], { repo: { dir: root } })).rejects.toThrow(/--queue: agents on a repository \(--repo, --copy\) run here/);
    await expect(supervisor.run([writer('a', 'x', { check: 'true' })])).rejects.toThrow(/--queue: task "a" has a check or setup command/);
    expect(existsSync(workspaceRoot) ? await readdir(workspaceRoot) : []).toEqual([]);
  });
});

const bwrapProblem = await probeSandbox(process.env.HERD_BWRAP || 'bwrap');

describe.skipIf(bwrapProblem !== undefined)('a sandboxed run on a repository', () => {
  it("lets the agent commit in its worktree (the repository's .git is writable to it) and records its commit", async () => {
    const supervisor = new Supervisor({ workspaceRoot, sandbox: true });
    const committer: AgentTask = {
      id: 'c',
      prompt: 'x',
      agent: 'command',
      promptArg: false,
      command: ['sh', '-c', 'echo mine > value.txt && git add value.txt && git -c user.name=a -c user.email=a@example.com commit -qm mine'],
    };
    const summary = await supervisor.run([committer], { repo: { dir: root } });
    expect([summary.agents[0]?.status, summary.agents[0]?.error?.message, summary.agents[0]?.stderrTail]).toEqual(['succeeded', undefined, undefined]);
    expect(summary.agents[0]?.change).toMatchObject({ agentCommits: 1, files: 1, paths: ['value.txt'] });
    expect(gitIn(root, ['show', `herd/${summary.runId}/c:value.txt`])).toBe('mine');
  });
});
