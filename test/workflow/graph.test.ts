// Graph validation and expansion: every bad workflow is one clear UsageError before
// anything starts; good ones get stages, expanded agents and dependency edges.

import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildWorkflow } from '../../src/workflow/graph.js';
import type { WorkflowSpec, WorkflowTaskSpec } from '../../src/workflow/spec.js';

const task = (id: string, dependsOn: string[] = [], extra: Partial<WorkflowTaskSpec> = {}): WorkflowTaskSpec => ({
  id,
  prompt: `do ${id}`,
  dependsOn,
  ...extra,
});
const spec = (...tasks: WorkflowTaskSpec[]): WorkflowSpec => ({ file: 'flow.yaml', tasks });

function errorOf(input: WorkflowSpec, vars?: Record<string, string>): string {
  try {
    buildWorkflow(input, vars);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('buildWorkflow: rejected graphs', () => {
  it('a self-dependency is a cycle of length 1', () => {
    expect(errorOf(spec(task('a', ['a'])))).toBe('flow.yaml: task "a" depends on itself (cycle: a -> a)');
  });

  it.each([
    [2, spec(task('a', ['b']), task('b', ['a'])), 'a -> b -> a'],
    [3, spec(task('a', ['c']), task('b', ['a']), task('c', ['b'])), 'a -> c -> b -> a'],
    [5, spec(task('start'), task('p', ['start', 't']), task('q', ['p']), task('r', ['q']), task('s', ['r']), task('t', ['s'])), 'p -> t -> s -> r -> q -> p'],
  ])('prints a cycle of length %i', (_length, input, cycle) => {
    expect(errorOf(input)).toBe(`flow.yaml: dependency cycle: ${cycle} (each task needs the next; a cycle can never start)`);
  });

  it('names an unknown dependency, with a suggestion when one is close', () => {
    expect(errorOf(spec(task('research'), task('write', ['reserch'])))).toBe(
      'flow.yaml: task "write", field "dependsOn": unknown task "reserch" (did you mean "research"?)',
    );
    expect(errorOf(spec(task('a'), task('b', ['zzz'])))).toBe('flow.yaml: task "b", field "dependsOn": unknown task "zzz"; known tasks: a, b');
  });

  it('rejects duplicate ids, naming both positions', () => {
    expect(errorOf(spec(task('a'), task('b'), task('a')))).toBe('flow.yaml: duplicate task id "a" (tasks 1 and 3); ids must be unique');
  });

  it('rejects ids that cannot be directory names', () => {
    expect(errorOf(spec(task('../etc')))).toMatch(/^flow\.yaml: task 1 \(id "\.\.\/etc"\): task id .* is not allowed/);
  });

  it('rejects a judge of an unknown task, of itself, or of another judge', () => {
    expect(errorOf(spec(task('pick', [], { judge: 'solv' }), task('solve', [], { compete: 2 })))).toMatch(
      /task "pick", field "judge": unknown task "solv" \(did you mean "solve"\?\)/,
    );
    expect(errorOf(spec(task('pick', [], { judge: 'pick' })))).toMatch(/task "pick" judges itself/);
    expect(errorOf(spec(task('s', [], { compete: 2 }), task('j1', [], { judge: 's' }), task('j2', [], { judge: 'j1' })))).toMatch(
      /judges "j1", which is a judge itself/,
    );
  });

  it('rejects mixed patterns and bad counts', () => {
    expect(errorOf(spec(task('a', [], { each: ['x'], compete: 2 })))).toMatch(/use only one of each, compete and judge \(got each and compete\)/);
    expect(errorOf(spec(task('a', [], { compete: 1 })))).toMatch(/field "compete": expected 2 to 20 competitors, got 1/);
    expect(errorOf(spec(task('a', [], { each: [] })))).toMatch(/field "each": expected 1 to 1000 items, got 0/);
    expect(errorOf(spec(task('s', [], { compete: 2 }), task('j', [], { judge: 's', jsonSchema: { type: 'object' } })))).toMatch(
      /a judge answers in herd's verdict format .* remove jsonSchema/,
    );
  });

  it('rejects an expanded id that another task already uses', () => {
    expect(errorOf(spec(task('map', [], { each: ['x', 'y'] }), task('map-2')))).toBe(
      'flow.yaml: task "map" expands into agent "map-2", but "map-2" already uses that id; rename one of them',
    );
  });
});

describe('buildWorkflow: templates are checked before anything starts', () => {
  it.each([
    [task('w', [], { prompt: 'use {{deps.r.result}}' }), 'task "w", field "prompt": {{deps.r.result}} names unknown task "r"'],
    [task('w', [], { prompt: 'x {{nope}}' }), 'unknown placeholder {{nope}}; use one of'],
    [task('w', [], { prompt: 'x {{vars.topic}}' }), '{{vars.topic}} has no value: pass --var topic=<value> or set vars.topic in the file'],
    [task('w', [], { prompt: 'x {{item}}' }), '{{item}} only works in a task with "each"'],
    [task('w', [], { prompt: 'x {{candidates}}' }), '{{candidates}} only works in a judge task'],
    [task('w', [], { prompt: 'x {{shared}}' }), '{{shared}} needs a shared directory'],
    [task('w', [], { systemPrompt: 'You know {{vars.role}}' }), 'field "systemPrompt": {{vars.role}} has no value'],
  ])('%#: %s', (bad, message) => {
    expect(errorOf(spec(bad))).toContain(message);
  });

  it('wants a dependency for every result it uses, and the right field for expanded tasks', () => {
    const base = [task('r'), task('m', [], { each: ['a', 'b'] })];
    expect(errorOf(spec(...base, task('w', [], { prompt: '{{deps.r.result}}' })))).toContain(
      'needs the result of "r", but this task does not depend on it; add "r" to dependsOn',
    );
    expect(errorOf(spec(...base, task('w', ['m'], { prompt: '{{deps.m.result}}' })))).toContain(
      '"m" runs 2 agents; use {{deps.m.results}} for all of them or {{deps.m-1.result}} for one',
    );
    expect(errorOf(spec(...base, task('w', ['m'], { prompt: '{{deps.m-2.results}}' })))).toContain('"m-2" is one agent of "m"');
    expect(errorOf(spec(...base, task('w', ['r'], { prompt: '{{deps.r.winner}}' })))).toContain('"r" is not a judge task');
  });

  it('accepts every form where it applies', () => {
    const workflow = buildWorkflow(
      {
        tasks: [
          task('r'),
          task('m', ['r'], { each: ['a', 'b'], prompt: '{{item}} {{index}} {{deps.r.result}} {{ deps.r.results }} {{vars.v}}' }),
          task('s', [], { compete: ['sonnet', 'opus'] }),
          task('j', [], { judge: 's', prompt: 'judge {{candidates}} {{shared}}' }),
          task('out', ['m', 'j'], { prompt: '{{deps.m.results}} {{deps.m-1.result}} {{deps.j.winner}} {{deps.j.winnerId}} {{#each}} {{ not a placeholder }}' }),
        ],
        shared: true,
      },
      { v: 'x' },
    );
    expect(workflow.agents.map((agent) => agent.task.id)).toEqual(['r', 'm-1', 'm-2', 's-1', 's-2', 'j', 'out']);
  });
});

describe('buildWorkflow: expansion and stages', () => {
  it('gives a diamond three stages and edges between agents', () => {
    const workflow = buildWorkflow(spec(task('root'), task('left', ['root']), task('right', ['root']), task('join', ['left', 'right'])));
    expect(workflow.groups.map((group) => [group.id, group.stage])).toEqual([
      ['root', 1],
      ['left', 2],
      ['right', 2],
      ['join', 3],
    ]);
    expect(workflow.agents.find((agent) => agent.task.id === 'join')?.dependsOn).toEqual([
      { id: 'left', optional: false },
      { id: 'right', optional: false },
    ]);
  });

  it('uses the longest path for the stage, whatever the order in the file', () => {
    const workflow = buildWorkflow(spec(task('last', ['a', 'c']), task('c', ['b']), task('b', ['a']), task('a')));
    expect(Object.fromEntries(workflow.groups.map((group) => [group.id, group.stage]))).toEqual({ a: 1, b: 2, c: 3, last: 4 });
  });

  it('expands each into one agent per item and compete into one per competitor (with models)', () => {
    const workflow = buildWorkflow(
      spec(
        task('map', [], { each: ['x.md', 'y.md'], eachFiles: { 'x.md': 'X' }, priority: 3, files: { 'notes.txt': 'n' } }),
        task('solve', ['map'], { compete: ['sonnet', 'opus', 'haiku'] }),
        task('pick', [], { judge: 'solve' }),
      ),
    );
    const [m1, m2, s1, , s3, pick] = workflow.agents;
    expect(m1).toMatchObject({ group: 'map', index: 1, item: 'x.md', priority: 3, stage: 1, task: { id: 'map-1', files: { 'notes.txt': 'n', 'x.md': 'X' } } });
    expect(m2?.task.files).toEqual({ 'notes.txt': 'n' });
    expect(s1?.task).toMatchObject({ id: 'solve-1', model: 'sonnet' });
    expect(s3?.task).toMatchObject({ id: 'solve-3', model: 'haiku' });
    expect(s1?.dependsOn).toEqual([
      { id: 'map-1', optional: false },
      { id: 'map-2', optional: false },
    ]);
    // The judge decides as long as one candidate finished.
    expect(pick?.dependsOn.every((edge) => edge.optional)).toBe(true);
    expect(workflow.groups.find((group) => group.id === 'pick')).toMatchObject({ kind: 'judge', judges: 'solve', dependsOn: ['solve'], stage: 3 });
  });

  it('compete across vendors: an entry names an agent type, optionally with its model', () => {
    const workflow = buildWorkflow(spec(task('solve', [], { compete: ['claude', 'codex', 'gemini:gemini-2.5-pro', 'opus'], model: 'sonnet' })));
    const [claude, codex, gemini, opus] = workflow.agents.map((agent) => agent.task);
    expect(claude).toMatchObject({ agent: 'claude' });
    expect(claude?.model).toBeUndefined();
    expect(codex).toMatchObject({ agent: 'codex' });
    expect(codex?.model).toBeUndefined();
    expect(gemini).toMatchObject({ agent: 'gemini', model: 'gemini-2.5-pro' });
    expect(opus).toMatchObject({ model: 'opus' });
    expect(opus?.agent).toBeUndefined();
  });

  it('marks edges from an optional task as optional', () => {
    const workflow = buildWorkflow(spec(task('maybe', [], { optional: true }), task('next', ['maybe'])));
    expect(workflow.agents[1]?.dependsOn).toEqual([{ id: 'maybe', optional: true }]);
  });

  it('refuses a --var that no prompt uses and the file does not declare, suggesting the close one', () => {
    const flow: WorkflowSpec = { file: 'flow.yaml', vars: { topic: 'rivers' }, tasks: [task('a', [], { prompt: 'about {{vars.topic}} for {{vars.reader}}' })] };
    expect(errorOf(flow, { topc: 'owls' })).toBe('--var topc: flow.yaml has no variable "topc" (did you mean "topic"?)');
    expect(errorOf(flow, { colour: 'red' })).toBe('--var colour: flow.yaml has no variable "colour"; its variables are: topic, reader');
    expect(errorOf(spec(task('a')), { topic: 'x' })).toBe('--var topic: flow.yaml has no variable "topic"; it uses no variables');
    // A declared variable no prompt uses is still known (the file names it).
    expect(buildWorkflow({ ...flow, vars: { topic: 'rivers', unused: 'u' } }, { unused: 'v', reader: 'kids' }).vars).toMatchObject({
      unused: 'v',
      reader: 'kids',
    });
  });

  it('lets --var values win over the file defaults', () => {
    expect(buildWorkflow({ tasks: [task('a', [], { prompt: '{{vars.x}}' })], vars: { x: 'file' } }, { x: 'flag' }).vars).toEqual({ x: 'flag' });
  });
});
