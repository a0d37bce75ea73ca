// Running workflows with fake agents (test/fixtures/workflow-agent.mjs and `node -e`):
// start order under priorities and a cap, eager starts, skipped dependents with reasons,
// judges, the shared directory, seeded items, the run record, and continue by task id.

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { HerdEvent } from '../../src/events.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import type { WorkflowSpec, WorkflowTaskSpec } from '../../src/workflow/spec.js';

const FIXTURE = path.resolve('test/fixtures/workflow-agent.mjs');
let root: string;

/** A task run by the fake agent; its prompt steers it ([sleep ms], [fail], [say text]). */
const fake = (id: string, prompt: string, extra: Partial<WorkflowTaskSpec> = {}): WorkflowTaskSpec => ({
  id,
  prompt,
  agent: 'command',
  command: ['node', FIXTURE],
  ...extra,
});
/** A task that runs a node one-liner (the prompt is appended as its last argument). */
const script = (id: string, code: string, extra: Partial<WorkflowTaskSpec> = {}): WorkflowTaskSpec => ({
  id,
  prompt: 'go',
  agent: 'command',
  command: ['node', '-e', code],
  ...extra,
});

async function run(spec: WorkflowSpec, concurrency?: number): Promise<{ summary: RunSummary; events: HerdEvent[]; supervisor: Supervisor }> {
  const events: HerdEvent[] = [];
  const supervisor = new Supervisor({ workspaceRoot: root, ...(concurrency ? { concurrency } : {}), onEvent: (event) => events.push(event) });
  const summary = await supervisor.runWorkflow(spec);
  return { summary, events, supervisor };
}

const starts = (events: HerdEvent[]) => events.filter((event) => event.type === 'agent.start').map((event) => (event as { agentId: string }).agentId);
const agentOf = (summary: RunSummary, id: string) => summary.agents.find((agent) => agent.id === id)!;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'herd-wf-run-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('Supervisor.runWorkflow scheduling', () => {
  it('starts the highest priority ready task first, one at a time under concurrency 1', async () => {
    const { summary, events } = await run(
      {
        tasks: [
          fake('a', '[say a]'),
          fake('b', '[say b]', { priority: 5 }),
          fake('c', '[say c]', { priority: 1 }),
          fake('d', '[say d]', { priority: 10, dependsOn: ['b'] }),
        ],
      },
      1,
    );
    // d becomes ready when b ends and outranks c and a, which were ready all along.
    expect(starts(events)).toEqual(['b', 'd', 'c', 'a']);
    expect(summary.status).toBe('succeeded');
    expect(summary.turns[0]?.agents.map((agent) => agent.id)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('never runs more than the cap at once', async () => {
    const tasks = ['p', 'q', 'r', 's', 't'].map((id) => fake(id, `[sleep 150][say ${id}]`));
    const { events } = await run({ tasks }, 2);
    let running = 0;
    let most = 0;
    for (const event of events) {
      if (event.type === 'agent.start') most = Math.max(most, ++running);
      if (event.type === 'agent.end') running -= 1;
    }
    expect(most).toBe(2);
    expect(starts(events)).toEqual(['p', 'q', 'r', 's', 't']);
  });

  it('starts a task as soon as its own dependency ends, while another branch still runs', async () => {
    const { events } = await run({
      tasks: [
        fake('slow', '[sleep 2500][say slow]'),
        fake('fast', '[say fast]'),
        fake('after-fast', '[say af]', { dependsOn: ['fast'] }),
        fake('after-slow', '[say as]', { dependsOn: ['slow'] }),
      ],
    });
    const order = events
      .filter((event) => event.type === 'agent.start' || event.type === 'agent.end')
      .map((event) => `${event.type === 'agent.start' ? 'start' : 'end'} ${(event as { agentId: string }).agentId}`);
    expect(order.indexOf('start after-fast')).toBeLessThan(order.indexOf('end slow'));
    expect(order.indexOf('start after-slow')).toBeGreaterThan(order.indexOf('end slow'));
  });

  it('rejects a bad graph before anything is created', async () => {
    const supervisor = new Supervisor({ workspaceRoot: path.join(root, 'untouched') });
    await expect(supervisor.runWorkflow({ tasks: [fake('a', 'x', { dependsOn: ['b'] }), fake('b', 'y', { dependsOn: ['a'] })] })).rejects.toThrow(UsageError);
    await expect(supervisor.runWorkflow({ tasks: [fake('a', '{{vars.nope}}')] })).rejects.toThrow(/\{\{vars\.nope\}\} has no value/);
    expect(existsSync(path.join(root, 'untouched'))).toBe(false);
  });
});

describe('Supervisor.runWorkflow failures', () => {
  it('skips dependents of a failed task with the reason, the whole chain, and not those of an optional one', async () => {
    const { summary, events } = await run({
      tasks: [
        fake('broken', '[fail]'),
        fake('next', '[say never]', { dependsOn: ['broken'] }),
        fake('last', '[say never]', { dependsOn: ['next'] }),
        fake('independent', '[say fine]'),
        fake('flaky', '[fail]', { optional: true }),
        fake('tolerant', '[say ran anyway]', { dependsOn: ['flaky'] }),
        fake('needs-result', 'use {{deps.flaky.result}}', { dependsOn: ['flaky'] }),
      ],
    });
    expect(summary.status).toBe('failed');
    expect(agentOf(summary, 'next')).toMatchObject({
      status: 'skipped',
      attempts: 0,
      error: { reason: 'dependency', message: 'dependency "broken" failed: command exited with code 3' },
    });
    expect(agentOf(summary, 'last')).toMatchObject({
      status: 'skipped',
      error: { reason: 'dependency', message: 'dependency "next" was skipped because "broken" failed: command exited with code 3' },
    });
    expect(agentOf(summary, 'independent').status).toBe('succeeded');
    expect(agentOf(summary, 'tolerant')).toMatchObject({ status: 'succeeded', result: 'ran anyway' });
    expect(agentOf(summary, 'needs-result')).toMatchObject({
      status: 'skipped',
      error: { reason: 'dependency', message: '{{deps.flaky.result}} has no value: "flaky" failed: command exited with code 3' },
    });
    expect(starts(events)).not.toContain('next');
    // What was recorded on disk is what came back.
    const stored = JSON.parse(await readFile(path.join(root, summary.runId, 'run.json'), 'utf8')) as RunSummary;
    expect(stored.agents.map((agent) => [agent.id, agent.status])).toEqual(summary.agents.map((agent) => [agent.id, agent.status]));
    expect(stored.workflow?.stages.flatMap((stage) => stage.skipped.map((skipped) => skipped.id))).toEqual(['next', 'needs-result', 'last']);
  });

  it('names the agent and its task when one agent of a fan-out fails', async () => {
    const { summary } = await run({
      tasks: [fake('map', '{{item}}', { each: ['[say ok]', '[fail]'] }), fake('reduce', '{{deps.map.results}}', { dependsOn: ['map'] })],
    });
    expect(agentOf(summary, 'reduce').error?.message).toBe('dependency "map-2" (of task "map") failed: command exited with code 3');
  });
});

describe('Supervisor.runWorkflow patterns', () => {
  it('fans out, passes results on as a list, and records stages and the critical path', async () => {
    const { summary } = await run(
      {
        tasks: [
          fake('plan', '[say the plan]'),
          fake('part', '[say part {{index}} of {{deps.plan.result}} for {{item}}]', { each: ['x', 'y', 'z'], dependsOn: ['plan'] }),
          fake('merge', 'Merge:\n{{deps.part.results}}', { dependsOn: ['part'] }),
        ],
        vars: {},
      },
      3,
    );
    expect(agentOf(summary, 'part-2').result).toBe('part 2 of the plan for y');
    expect(agentOf(summary, 'merge').result).toBe(
      'merge did: Merge:\n### part-1 (item: x)\npart 1 of the plan for x\n\n### part-2 (item: y)\npart 2 of the plan for y\n\n### part-3 (item: z)\npart 3 of the plan for z',
    );
    const record = summary.workflow!;
    expect(record.tasks.map((task) => [task.id, task.kind, task.agents.length, task.stage])).toEqual([
      ['plan', 'task', 1, 1],
      ['part', 'each', 3, 2],
      ['merge', 'task', 1, 3],
    ]);
    expect(record.stages.map((stage) => [stage.stage, stage.agents.length, stage.succeeded])).toEqual([
      [1, 1, 1],
      [2, 3, 3],
      [3, 1, 1],
    ]);
    expect(record.stages[1]!.agentMs).toBeGreaterThan(0);
    expect(record.criticalPath?.agents[0]).toBe('plan');
    expect(record.criticalPath?.agents.at(-1)).toBe('merge');
  });

  it('lets a judge pick a winner, records it and why, and hands the winner on', async () => {
    const verdict = "console.log('Both work.'); console.log('WINNER: solve-2'); console.log('REASON: shorter')";
    const { summary } = await run({
      tasks: [
        fake('solve', '[say answer {{index}}]', { compete: 2 }),
        script('pick', verdict, { judge: 'solve' }),
        fake('use', '[say using {{deps.pick.winner}} from {{deps.pick.winnerId}}]', { dependsOn: ['pick'] }),
      ],
    });
    expect(summary.workflow?.judgements).toEqual([
      { judge: 'pick', of: 'solve', candidates: ['solve-1', 'solve-2'], winner: 'solve-2', reason: 'shorter', source: 'text' },
    ]);
    expect(agentOf(summary, 'use').result).toBe('using answer 2 from solve-2');
    // The record keeps the prompt as sent (filled), beside the template in summary.tasks.
    expect(agentOf(summary, 'use').prompt).toBe('[say using answer 2 from solve-2]');
    expect(summary.tasks.find((task) => task.id === 'use')?.prompt).toContain('{{deps.pick.winner}}');
    expect(summary.status).toBe('succeeded');
  });

  it('fails a judge whose answer names no winner, and skips what depends on it', async () => {
    const { summary } = await run({
      tasks: [
        fake('solve', '[say answer]', { compete: 2 }),
        script('pick', "console.log('I like them both')", { judge: 'solve' }),
        fake('use', '[say x]', { dependsOn: ['pick'] }),
      ],
    });
    expect(agentOf(summary, 'pick')).toMatchObject({ status: 'failed', result: 'I like them both', error: { reason: 'protocol' } });
    expect(agentOf(summary, 'pick').error?.message).toMatch(/^the judge named no winner: expected a line "WINNER: <id>" with one of solve-1, solve-2/);
    expect(summary.workflow?.judgements[0]).toMatchObject({ judge: 'pick', error: expect.stringContaining('named no winner') });
    expect(agentOf(summary, 'use')).toMatchObject({ status: 'skipped', error: { reason: 'dependency' } });
  });

  it('gives every agent the shared directory, seeded before the first starts', async () => {
    const append =
      "const fs=require('fs'),p=process.env.HERD_SHARED_DIR+'/pad.md';fs.appendFileSync(p,process.env.HERD_AGENT_ID+'\\n');console.log(fs.readFileSync(p,'utf8').trim().split('\\n').join('|'))";
    const { summary } = await run({
      tasks: [script('first', append), script('second', append, { dependsOn: ['first'] }), fake('where', '[say {{shared}}]')],
      shared: { files: { 'pad.md': 'notes\n' } },
    });
    const sharedDir = path.join(root, summary.runId, '_shared');
    expect(summary.workflow?.sharedDir).toBe(sharedDir);
    expect(agentOf(summary, 'second').result).toBe('notes|first|second');
    expect(agentOf(summary, 'where').result).toBe(sharedDir);
    expect(summary.tasks.find((task) => task.id === 'first')?.addDirs).toEqual([sharedDir]);
  });

  it('seeds each item file into its own agent workspace', async () => {
    const cat = "console.log(require('fs').readFileSync(process.argv.at(-1),'utf8'))";
    const { summary } = await run({
      tasks: [{ ...script('read', cat), prompt: '{{item}}', each: ['a.md', 'b.md'], eachFiles: { 'a.md': 'alpha', 'b.md': 'beta' } }],
    });
    expect(summary.agents.map((agent) => agent.result)).toEqual(['alpha', 'beta']);
    expect(await readdir(agentOf(summary, 'read-1').workspace)).toEqual(['a.md']);
  });

  it('continues a workflow run by task id: all the agents the task expanded into', async () => {
    const { summary, supervisor } = await run({ tasks: [fake('map', '[say first {{item}}]', { each: ['x', 'y'] }), fake('solo', '[say solo]')] });
    const continued = await supervisor.continue(summary.runId, '[say again]', { agents: ['map'] });
    expect(continued.turns[1]?.agents.map((agent) => [agent.id, agent.result])).toEqual([
      ['map-1', 'again'],
      ['map-2', 'again'],
    ]);
  });
});

describe('Supervisor.resume of a workflow run', () => {
  it('finishes an interrupted run: unfinished agents wait for their dependencies again, placeholders filled from recorded results', async () => {
    const controller = new AbortController();
    const supervisor = new Supervisor({
      workspaceRoot: root,
      killGraceMs: 500,
      onEvent: (event) => {
        if (event.type === 'agent.start' && event.agentId === 'b') controller.abort();
      },
    });
    const interrupted = await supervisor.runWorkflow(
      {
        tasks: [
          fake('a', '[say from a]'),
          fake('b', '[sleep 5000][say from b]', { dependsOn: ['a'] }),
          fake('c', '[say {{deps.a.result}} + {{deps.b.result}}]', { dependsOn: ['a', 'b'] }),
        ],
      },
      { signal: controller.signal },
    );
    expect(interrupted.status).toBe('cancelled');
    expect(interrupted.agents.map((agent) => [agent.id, agent.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'cancelled'],
      ['c', 'cancelled'],
    ]);
    const events: HerdEvent[] = [];
    const resumed = await new Supervisor({ workspaceRoot: root, onEvent: (event) => events.push(event) }).resume(interrupted.runId);
    expect(starts(events)).toEqual(['b', 'c']);
    expect(resumed.status).toBe('succeeded');
    expect(agentOf(resumed, 'c').result).toBe('from a + from b');
    expect(resumed.workflow?.stages.map((stage) => stage.succeeded)).toEqual([1, 1, 1]);
  });

  it('with retryFailed, runs a failed task again and then the dependents it had skipped', async () => {
    const flag = path.join(root, `flag-${Date.now()}`);
    const failOnce = "const fs=require('fs'),f=process.env.FLAG;if(!fs.existsSync(f)){fs.writeFileSync(f,'');process.exit(3)}console.log('fixed')";
    const first = await run({ tasks: [script('a', failOnce, { env: { FLAG: flag } }), fake('b', '[say after {{deps.a.result}}]', { dependsOn: ['a'] })] });
    expect(first.summary.agents.map((agent) => agent.status)).toEqual(['failed', 'skipped']);
    const resumed = await first.supervisor.resume(first.summary.runId, { retryFailed: true });
    expect(resumed.agents.map((agent) => [agent.id, agent.status, agent.result])).toEqual([
      ['a', 'succeeded', 'fixed'],
      ['b', 'succeeded', 'after fixed'],
    ]);
  });
});
