// The library helpers build the same specs a task file would.

import { describe, expect, it } from 'vitest';
import { buildWorkflow } from '../../src/workflow/graph.js';
import { competeAndJudge, fanOut, mapReduce } from '../../src/workflow/patterns.js';

describe('workflow pattern helpers', () => {
  it('map-reduce appends the results placeholder unless the reduce prompt places it', () => {
    const [map, reduce] = mapReduce({ id: 'map', prompt: 'summarise {{item}}' }, ['a', 'b'], { id: 'reduce', prompt: 'Merge these.' });
    expect(map).toEqual({ id: 'map', prompt: 'summarise {{item}}', each: ['a', 'b'] });
    expect(reduce).toEqual({ id: 'reduce', prompt: 'Merge these.\n\n{{deps.map.results}}', dependsOn: ['map'] });
    const [, placed] = mapReduce({ id: 'm', prompt: '{{item}}' }, ['x'], { id: 'r', prompt: 'A {{deps.m.results}} B', dependsOn: ['m'] });
    expect(placed).toMatchObject({ prompt: 'A {{deps.m.results}} B', dependsOn: ['m'] });
  });

  it('compete + judge and fan-out make valid workflows', () => {
    const workflow = buildWorkflow({
      tasks: [
        ...competeAndJudge({ id: 'solve', prompt: 'solve' }, ['sonnet', 'opus'], { id: 'pick', prompt: 'pick' }),
        fanOut({ id: 'each', prompt: '{{item}} after {{deps.pick.winner}}', dependsOn: ['pick'] }, ['x', 'y']),
      ],
    });
    expect(workflow.agents.map((agent) => [agent.task.id, agent.task.model ?? '', agent.stage])).toEqual([
      ['solve-1', 'sonnet', 1],
      ['solve-2', 'opus', 1],
      ['pick', '', 2],
      ['each-1', '', 3],
      ['each-2', '', 3],
    ]);
  });
});
