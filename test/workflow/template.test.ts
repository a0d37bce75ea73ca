// Template substitution: one pass, values inserted literally, missing values named.

import { describe, expect, it } from 'vitest';
import { fillAgentTask, type FillContext } from '../../src/workflow/fill-task.js';
import { buildWorkflow } from '../../src/workflow/graph.js';
import type { Verdict } from '../../src/workflow/judge.js';
import type { WorkflowSpec } from '../../src/workflow/spec.js';
import { TemplateValueError, fillTemplate, listPlaceholders, parsePlaceholder } from '../../src/workflow/template.js';
import type { AgentResult } from '../../src/types.js';

function result(id: string, text: string | undefined, status: AgentResult['status'] = 'succeeded'): AgentResult {
  const done: AgentResult = {
    id,
    status,
    workspace: `/w/${id}`,
    costUsd: 0,
    usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
    durationMs: 1,
    attempts: 1,
    startedAt: '',
    endedAt: '',
  };
  if (text !== undefined) done.result = text;
  if (status !== 'succeeded') done.error = { reason: 'exit', message: 'command exited with code 3' };
  return done;
}

function contextFor(
  spec: WorkflowSpec,
  results: AgentResult[],
  vars: Record<string, string> = {},
  verdicts: Record<string, Verdict> = {},
): { fill: (id: string) => string; context: FillContext } {
  const workflow = buildWorkflow(spec, vars);
  const context: FillContext = {
    workflow,
    groups: new Map(workflow.groups.map((group) => [group.id, group])),
    results: new Map(results.map((done) => [done.id, done])),
    verdicts: new Map(Object.entries(verdicts)),
    sharedDir: '/runs/x/shared',
  };
  const fill = (id: string) => {
    const agent = workflow.agents.find((candidate) => candidate.task.id === id)!;
    return fillAgentTask(agent, agent.task, context).prompt;
  };
  return { fill, context };
}

describe('parsing placeholders', () => {
  it('reads every form, and ids that contain dots', () => {
    expect(parsePlaceholder('deps.v1.2.result')).toEqual({ kind: 'dep', id: 'v1.2', field: 'result' });
    expect(parsePlaceholder('deps.map.results')).toEqual({ kind: 'dep', id: 'map', field: 'results' });
    expect(parsePlaceholder('deps.pick.winnerId')).toEqual({ kind: 'dep', id: 'pick', field: 'winnerId' });
    expect(parsePlaceholder('vars.topic')).toEqual({ kind: 'var', name: 'topic' });
    expect(parsePlaceholder('item')).toEqual({ kind: 'item' });
    expect(parsePlaceholder('deps.x.output')).toBeUndefined();
    expect(listPlaceholders('a {{ vars.x }} b {{#if}} {{deps.a.result}}').map((found) => found.name)).toEqual(['vars.x', 'deps.a.result']);
  });
});

describe('filling prompts', () => {
  const pipeline: WorkflowSpec = {
    tasks: [
      { id: 'research', prompt: 'r' },
      { id: 'write', prompt: 'Topic {{vars.topic}}. Facts:\n{{deps.research.result}}\nEnd.', dependsOn: ['research'] },
    ],
  };

  it('inserts special characters literally and never expands a value again', () => {
    const tricky = 'cost $& and $1 and $$, a {{vars.topic}} and {{deps.research.result}}, \\n\\ backslash, émoji 🐟, "quotes"\nsecond line';
    const { fill } = contextFor(pipeline, [result('research', tricky)], { topic: '$& {{deps.research.result}}' });
    expect(fill('write')).toBe(`Topic $& {{deps.research.result}}. Facts:\n${tricky}\nEnd.`);
  });

  it('fills an empty answer as empty text', () => {
    const { fill } = contextFor(pipeline, [result('research', undefined)], { topic: 't' });
    expect(fill('write')).toBe('Topic t. Facts:\n\nEnd.');
  });

  it('names the missing value when an (optional) dependency failed', () => {
    const optional: WorkflowSpec = { tasks: [{ ...pipeline.tasks[0]!, optional: true }, pipeline.tasks[1]!] };
    const { fill } = contextFor(optional, [result('research', 'partial', 'failed')], { topic: 't' });
    expect(() => fill('write')).toThrow(TemplateValueError);
    expect(() => fill('write')).toThrow('{{deps.research.result}} has no value: "research" failed: command exited with code 3');
  });

  it('gives an expanded task the list of its succeeded results, each under its id and item', () => {
    const spec: WorkflowSpec = {
      tasks: [
        { id: 'map', prompt: 'summarise {{item}} ({{index}})', each: ['a.md', 'b.md', 'c.md'], optional: true },
        { id: 'reduce', prompt: 'Merge:\n{{deps.map.results}}\nFirst: {{deps.map-1.result}}', dependsOn: ['map'] },
      ],
    };
    const { fill } = contextFor(spec, [result('map-1', 'A\n'), result('map-2', 'B', 'failed'), result('map-3', 'C')]);
    expect(fill('map-2')).toBe('summarise b.md (2)');
    expect(fill('reduce')).toBe('Merge:\n### map-1 (item: a.md)\nA\n\n### map-3 (item: c.md)\nC\nFirst: A\n');
  });

  it('shows a judge every candidate that succeeded and always ends with the answer format', () => {
    const spec: WorkflowSpec = {
      tasks: [
        { id: 'solve', prompt: 's', compete: ['sonnet', 'opus', 'haiku'] },
        { id: 'pick', prompt: 'Pick the clearest.', judge: 'solve' },
        { id: 'use', prompt: 'Polish: {{deps.pick.winner}} ({{deps.pick.winnerId}})', dependsOn: ['pick'] },
      ],
    };
    const { fill } = contextFor(
      spec,
      [result('solve-1', 'one'), result('solve-2', 'two', 'failed'), result('solve-3', 'three')],
      {},
      { pick: { winner: 'solve-3', reason: 'short', source: 'text' } },
    );
    expect(fill('pick')).toBe(
      [
        'Pick the clearest.',
        '',
        'Candidates for "solve" (2): solve-1, solve-3',
        '(solve-2 failed and is not a candidate)',
        '',
        '### Candidate solve-1 (model sonnet)',
        'one',
        '',
        '### Candidate solve-3 (model haiku)',
        'three',
        '',
        'Judge the candidates. End your answer with exactly these two lines:',
        'WINNER: <one of: solve-1, solve-3>',
        'REASON: <one sentence: why this candidate is the best>',
      ].join('\n'),
    );
    expect(fill('use')).toBe('Polish: three (solve-3)');
  });

  it('places the candidates where the judge prompt says {{candidates}}', () => {
    const spec: WorkflowSpec = {
      tasks: [
        { id: 's', prompt: 's', compete: 2 },
        { id: 'j', prompt: 'Before\n{{candidates}}\nAfter', judge: 's' },
      ],
    };
    const { fill } = contextFor(spec, [result('s-1', 'x'), result('s-2', 'y')]);
    expect(fill('j')).toMatch(/^Before\nCandidates for "s" \(2\): s-1, s-2\n\n### Candidate s-1\nx\n\n### Candidate s-2\ny\nAfter\n\nJudge the candidates/);
  });

  it('has nothing to judge when every candidate failed', () => {
    const spec: WorkflowSpec = {
      tasks: [
        { id: 's', prompt: 's', compete: 2 },
        { id: 'j', prompt: 'judge', judge: 's' },
      ],
    };
    const { fill } = contextFor(spec, [result('s-1', 'x', 'failed'), result('s-2', 'y', 'timeout')]);
    expect(() => fill('j')).toThrow('no candidate of "s" succeeded, so there is nothing to judge');
  });

  it('fills {{shared}} and system prompts too', () => {
    const spec: WorkflowSpec = { tasks: [{ id: 'a', prompt: 'notes in {{shared}}/pad.md', systemPrompt: 'You write {{vars.style}}.' }], shared: true };
    const { context } = contextFor(spec, [], { style: 'tersely' });
    const agent = context.workflow.agents[0]!;
    expect(fillAgentTask(agent, agent.task, context)).toMatchObject({ prompt: 'notes in /runs/x/shared/pad.md', systemPrompt: 'You write tersely.' });
  });

  it('guards library callers against unknown forms', () => {
    expect(() => fillTemplate('{{bogus}}', () => '')).toThrow(/unknown placeholder \{\{bogus\}\}/);
  });
});
