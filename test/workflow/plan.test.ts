// The plan: stages, critical path, and the time estimate from earlier durations.

import { describe, expect, it } from 'vitest';
import { buildWorkflow } from '../../src/workflow/graph.js';
import { planWorkflow, replaySchedule } from '../../src/workflow/plan.js';
import { renderPlan } from '../../src/workflow/render-workflow.js';
import type { WorkflowSpec } from '../../src/workflow/spec.js';

const diamond: WorkflowSpec = {
  name: 'diamond',
  file: '/work/flows/diamond.yaml',
  tasks: [
    { id: 'outline', prompt: 'o' },
    { id: 'part', prompt: 'p {{item}}', each: ['a', 'b', 'c', 'd'], dependsOn: ['outline'] },
    { id: 'extra', prompt: 'e', dependsOn: ['outline'], priority: 2, optional: true },
    { id: 'assemble', prompt: 'a', dependsOn: ['part', 'extra'] },
  ],
};

describe('planWorkflow', () => {
  it('lists stages, what runs in parallel and the critical path by number of agents', () => {
    const plan = planWorkflow(buildWorkflow(diamond), 4);
    expect(plan.stages.map((stage) => [stage.stage, stage.tasks.map((task) => task.id), stage.agentCount])).toEqual([
      [1, ['outline'], 1],
      [2, ['part', 'extra'], 5],
      [3, ['assemble'], 1],
    ]);
    expect(plan.criticalPath).toEqual({ tasks: ['outline', 'part', 'assemble'], agents: ['outline', 'part-1', 'assemble'] });
    expect(plan.estimate).toBeUndefined();
    expect(renderPlan(plan, '/work')).toBe(
      [
        'plan "diamond" (flows/diamond.yaml)',
        '4 tasks -> 7 agents in 3 stages, widest stage 5, concurrency cap 4; a task starts as soon as its own dependencies finish',
        '',
        'stage  task      runs                after        priority',
        '1      outline   1 agent             -            0',
        '2      part      4 agents (each)     outline      0',
        '       extra     1 agent (optional)  outline      2',
        '3      assemble  1 agent             part, extra  0',
        '',
        'in parallel    stage 1: 1 agent · stage 2: 5 agents · stage 3: 1 agent',
        'critical path  outline -> part -> assemble  (3 agents one after another)',
        'estimate       no durations known yet: run it once (or pass --durations-from <runId>) for a sequential vs parallel estimate',
      ].join('\n'),
    );
  });

  it('estimates sequential and parallel time from an earlier run, following the critical path by time', () => {
    const durationsMs = new Map([
      ['outline', 1000],
      ['part-1', 2000],
      ['part-2', 2000],
      ['part-3', 2000],
      ['part-4', 2000],
      ['extra', 5000],
      ['assemble', 1000],
    ]);
    const plan = planWorkflow(buildWorkflow(diamond), 4, { runId: 'run-1', durationsMs });
    expect(plan.criticalPath).toEqual({ tasks: ['outline', 'extra', 'assemble'], agents: ['outline', 'extra', 'assemble'], ms: 7000 });
    // 4 slots: extra (priority 2) and part-1..3 start at 1s, part-4 at 3s; extra ends at 6s.
    expect(plan.estimate).toEqual({ fromRunId: 'run-1', sequentialMs: 15_000, parallelMs: 7000, concurrency: 4, assumed: [] });
    const text = renderPlan(plan, '/work');
    expect(text).toContain('critical path  outline -> extra -> assemble  (3 agents one after another, 7.0s)');
    expect(text).toContain('estimate       sequential 15.0s · parallel 7.0s at concurrency 4 · saves 8.0s (2.1x)  [durations from run run-1]');
    expect(text).toMatch(/part +4 agents \(each\) +outline +0 +2\.0s/);
  });

  it('gives agents missing from the earlier run the average duration, and says so', () => {
    const plan = planWorkflow(buildWorkflow(diamond), 1, {
      runId: 'r',
      durationsMs: new Map([
        ['outline', 3000],
        ['assemble', 1000],
      ]),
    });
    expect(plan.estimate).toMatchObject({ sequentialMs: 14_000, parallelMs: 14_000, assumed: ['part-1', 'part-2', 'part-3', 'part-4', 'extra'] });
    expect(renderPlan(plan)).toContain('5 agents not in that run assumed average');
  });
});

describe('replaySchedule', () => {
  it('is the critical path with enough slots, and the sum with one', () => {
    const workflow = buildWorkflow(diamond);
    const durations = new Map(workflow.agents.map((agent) => [agent.task.id, 1000]));
    expect(replaySchedule(workflow.agents, durations, 8)).toBe(3000);
    expect(replaySchedule(workflow.agents, durations, 1)).toBe(7000);
    expect(replaySchedule(workflow.agents, durations, 2)).toBe(5000);
  });
});
