// `herd plan` and `herd run` as real processes (build first: npm run build). Fake agents
// (agent: command) keep these fast; the real claude runs in workflow.claude.test.ts.

import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixture, makeTempDir, repoRoot, runCli } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir('herd-wf-cli-');
});
afterEach(async () => {
  await root.cleanup();
});

const herd = (args: string[]) => runCli(args, { env: { HERD_HOME: path.join(root.path, 'runs') } });
const agent = JSON.stringify(['node', fixture('workflow-agent.mjs')]);

async function flowFile(name: string, body: string): Promise<string> {
  const file = path.join(root.path, name);
  await writeFile(file, body);
  return file;
}

const pipeline = () =>
  flowFile(
    'pipeline.yaml',
    `name: cli-pipeline
defaults: { agent: command, command: ${agent} }
tasks:
  - { id: research, prompt: "[say facts about {{vars.topic}}]" }
  - { id: write, prompt: "[say article from {{deps.research.result}}]", dependsOn: [research] }
  - { id: review, prompt: "[say review of {{deps.write.result}}]", dependsOn: [write], priority: 3 }
`,
  );

describe('herd plan / herd run --dry-run', () => {
  it('shows stages, the critical path and starts nothing', async () => {
    const plan = await herd(['plan', path.join(repoRoot, 'examples/workflows/compete-judge.yaml')]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('plan "compete-judge" (examples/workflows/compete-judge.yaml)');
    expect(plan.stdout).toMatch(/1 +solve +3 agents \(compete\) +- +0/);
    expect(plan.stdout).toMatch(/2 +pick +1 agent \(judge of solve\) +solve/);
    expect(plan.stdout).toContain('critical path  solve -> pick -> polish');
    const dry = await herd(['run', path.join(repoRoot, 'examples/workflows/compete-judge.yaml'), '--dry-run']);
    expect(dry).toMatchObject({ code: 0, stdout: plan.stdout });
    const json = await herd(['plan', path.join(repoRoot, 'examples/workflows/diamond.yaml'), '--json', '-c', '2']);
    expect(JSON.parse(json.stdout)).toMatchObject({ taskCount: 3, agentCount: 6, concurrency: 2, criticalPath: { tasks: ['outline', 'part', 'assemble'] } });
    expect(await readdir(root.path)).not.toContain('runs');
  });

  it('estimates times from the latest run of the same file', async () => {
    const file = await pipeline();
    const run = await herd(['run', file, '--var', 'topic=owls', '-q']);
    expect(run.code).toBe(0);
    const plan = await herd(['plan', file, '--var', 'topic=owls']);
    expect(plan.stdout).toMatch(/estimate +sequential \d+ms|estimate +sequential [\d.]+s/);
    expect(plan.stdout).toMatch(/\[durations from run \d{8}-\d{6}-[0-9a-f]{4}\]/);
  });
});

describe('herd run', () => {
  it('runs a pipeline: exit 0, one JSON document, results passed along, the stage account on stderr', async () => {
    const run = await herd(['run', await pipeline(), '--var', 'topic=owls', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.agents.map((result: { result: string }) => result.result)).toEqual([
      'facts about owls',
      'article from facts about owls',
      'review of article from facts about owls',
    ]);
    expect(summary.workflow).toMatchObject({ name: 'cli-pipeline', vars: { topic: 'owls' }, stages: [{ stage: 1 }, { stage: 2 }, { stage: 3 }] });
    expect(run.stderr).toMatch(/workflow "cli-pipeline": per stage/);
    expect(run.stderr).toMatch(/critical path {2}research -> write -> review/);
    expect(run.stderr).toMatch(/cost by task {3}research \$0\.000 · write \$0\.000 · review \$0\.000/);
  });

  it('exit 1 when a task fails; its dependents are skipped with the reason', async () => {
    const file = await flowFile(
      'failing.yaml',
      `defaults: { agent: command, command: ${agent} }
tasks:
  - { id: a, prompt: "[fail]" }
  - { id: b, prompt: "[say b]", dependsOn: [a] }
`,
    );
    const run = await herd(['run', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/b +skipped/);
    expect(run.stderr).toContain('skipped        b: dependency "a" failed: command exited with code 3');
  });

  it.each([
    [
      'cycle',
      'tasks: [{id: a, prompt: x, dependsOn: [c]}, {id: b, prompt: x, dependsOn: [a]}, {id: c, prompt: x, dependsOn: [b]}]',
      'dependency cycle: a -> c -> b -> a',
    ],
    ['self-dependency', 'tasks: [{id: a, prompt: x, dependsOn: [a]}]', 'task "a" depends on itself (cycle: a -> a)'],
    ['unknown id', 'tasks: [{id: a, prompt: x}, {id: b, prompt: x, dependsOn: [aa]}]', 'task "b", field "dependsOn": unknown task "aa" (did you mean "a"?)'],
    ['duplicate id', 'tasks: [{id: a, prompt: x}, {id: a, prompt: y}]', 'duplicate task id "a" (tasks 1 and 2)'],
    ['missing var', 'tasks: [{id: a, prompt: "{{vars.topic}}"}]', '{{vars.topic}} has no value: pass --var topic=<value>'],
    ['bad field', 'tasks: [{id: a, prompt: x, priority: high}]', 'task 1 (id "a"), field "priority"'],
    ['misspelt field', 'tasks: [{id: a, promt: x}]', 'task 1 (id "a"): unknown field "promt" (did you mean "prompt"?)'],
  ])('%s: exit 2 with one clear message, nothing started', async (_name, body, message) => {
    const file = await flowFile('bad.yaml', body);
    for (const command of [
      ['run', file],
      ['plan', file],
    ]) {
      const run = await herd(command);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await readdir(root.path)).toEqual(['bad.yaml']);
  });

  it('herd show includes the workflow account; herd continue takes a task id', async () => {
    const run = await herd(['run', await pipeline(), '--var', 'topic=owls', '--json', '-q']);
    const runId = JSON.parse(run.stdout).runId as string;
    const show = await herd(['show', runId]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/workflow "cli-pipeline": per stage[\s\S]*critical path {2}research -> write -> review/);
    const continued = await herd(['continue', runId, '[say more]', '--agent', 'write', '--json', '-q']);
    expect(continued.code).toBe(0);
    expect(JSON.parse(continued.stdout).turns[1].agents.map((agent: { id: string; result: string }) => [agent.id, agent.result])).toEqual([['write', 'more']]);
  });

  it('herd show --agent takes a fan-out task id and prints every agent it became, with the prompt each was sent', async () => {
    const file = await flowFile(
      'fan.yaml',
      `defaults: { agent: command, command: ${agent} }\ntasks:\n  - { id: part, prompt: "[say part {{item}}]", each: [a, b] }\n`,
    );
    const runId = JSON.parse((await herd(['run', file, '--json', '-q'])).stdout).runId as string;
    const show = await herd(['show', runId, '--agent', 'part']);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout.match(/^--- part-\d, turn 1/gm)).toEqual(['--- part-1, turn 1', '--- part-2, turn 1']);
    expect(show.stdout).toContain('prompt: [say part a]\npart a\n');
  });

  it('rejects a malformed --var', async () => {
    const run = await herd(['run', await pipeline(), '--var', 'topic']);
    expect(run).toMatchObject({ code: 2, stderr: 'herd: --var: expected NAME=value, got "topic"\n' });
  });

  it('refuses a misspelt --var with exit 2 and a suggestion, before anything starts', async () => {
    const file = await pipeline();
    const run = await herd(['run', file, '--var', 'topc=owls']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^herd: --var topc: .* has no variable "topc" \(did you mean "topic"\?\)\n$/);
    expect((await readdir(root.path)).filter((name) => name !== path.basename(file))).toEqual([]);
  });
});

describe('a NUL byte from an agent', () => {
  it('fails only the dependent that cannot take it (with the reason); stdin takes it; the run completes', async () => {
    const file = await flowFile(
      'nul.yaml',
      `tasks:
  - { id: source, prompt: go, agent: command, command: [printf, "a\\\\0b"], promptArg: false }
  - { id: as-arg, prompt: "got {{deps.source.result}}", agent: command, command: ${agent}, dependsOn: [source] }
  - { id: on-stdin, prompt: "got {{deps.source.result}}", agent: command, command: [cat], promptStdin: true, promptArg: false, dependsOn: [source] }
`,
    );
    const run = await herd(['run', file, '--json', '-q']);
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout);
    expect(summary.status).toBe('failed');
    const byId = Object.fromEntries(summary.agents.map((result: { id: string }) => [result.id, result]));
    expect(byId.source).toMatchObject({ status: 'succeeded', result: 'a\0b' });
    expect(byId['on-stdin']).toMatchObject({ status: 'succeeded', result: 'got a\0b' });
    expect(byId['as-arg'].status).toBe('failed');
    expect(byId['as-arg'].error.reason).toBe('spawn');
    expect(byId['as-arg'].error.message).toMatch(/prompt holds a NUL byte.*promptStdin/);

    // resume fills the prompt again from the recorded answer: the same clear failure, no crash.
    const resumed = await herd(['resume', summary.runId, '--retry-failed', '--json', '-q']);
    expect(resumed.code, resumed.stderr).toBe(1);
    const again = JSON.parse(resumed.stdout);
    expect(again.status).toBe('failed');
    expect(again.agents.find((result: { id: string }) => result.id === 'as-arg').error).toMatchObject({ reason: 'spawn' });
  });
});
