// Reading workflow files: fields, paths relative to the file, items from files and
// directories, and one clear message per mistake.

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { loadWorkflowFile } from '../../src/workflow/workflow-file.js';

let dir: string;

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function errorOf(name: string, text: string, options = {}): Promise<string> {
  const file = await write(name, text);
  const error = await loadWorkflowFile(file, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as Error).message;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'herd-wf-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadWorkflowFile', () => {
  it('reads a full workflow, applying defaults and resolving paths against the file', async () => {
    await write('flow/prompts/review.md', 'Review {{deps.write.result}}');
    await write('flow/items.txt', '# topics\nrivers\n\n  tide pools  \n');
    await write('flow/docs/b.md', 'B body');
    await write('flow/docs/a.md', 'A body');
    await write('flow/docs/.hidden', 'no');
    const file = await write(
      'flow/flow.yaml',
      `name: demo
vars: { topic: rivers, rounds: 3, strict: true }
shared: { dir: notes, files: { pad.md: "# pad" } }
defaults: { model: sonnet, timeout: 90s, addDirs: [ref] }
tasks:
  - id: write
    prompt: Write about {{vars.topic}}
    each: { file: items.txt }
    priority: 2
  - id: review
    promptFile: prompts/review.md
    dependsOn: [write]
    optional: true
  - id: read
    each: { dir: docs }
    prompt: Summarise {{item}}
  - id: solve
    compete: [sonnet, opus]
    prompt: Solve it
  - id: pick
    judge: solve
    prompt: Pick one
    model: opus
`,
    );
    const spec = await loadWorkflowFile(file);
    const base = path.join(dir, 'flow');
    expect(spec).toMatchObject({
      name: 'demo',
      file,
      vars: { topic: 'rivers', rounds: '3', strict: 'true' },
      shared: { dir: path.join(base, 'notes'), files: { 'pad.md': '# pad' } },
    });
    const [write1, review, read, solve, pick] = spec.tasks;
    expect(write1).toEqual({
      id: 'write',
      prompt: 'Write about {{vars.topic}}',
      model: 'sonnet',
      timeoutMs: 90_000,
      addDirs: [path.join(base, 'ref')],
      priority: 2,
      each: ['rivers', 'tide pools'],
    });
    expect(review).toMatchObject({ prompt: 'Review {{deps.write.result}}', dependsOn: ['write'], optional: true });
    expect(read).toMatchObject({ each: ['a.md', 'b.md'], eachFiles: { 'a.md': 'A body', 'b.md': 'B body' } });
    expect(solve).toMatchObject({ compete: ['sonnet', 'opus'] });
    expect(pick).toMatchObject({ judge: 'solve', model: 'opus' });
  });

  it('accepts a bare list of tasks, and --each-file / --shared from the command line', async () => {
    await write('items-cli.txt', 'x\ny\n');
    const file = await write('list.yaml', '- { id: a, prompt: "go {{item}}", each: [one] }\n');
    const spec = await loadWorkflowFile(file, { eachFiles: { a: path.join(dir, 'items-cli.txt') }, shared: true });
    expect(spec.tasks[0]?.each).toEqual(['x', 'y']);
    expect(spec.shared).toEqual({});
  });

  it('does not give a judge the default jsonSchema (it answers in the verdict format)', async () => {
    const file = await write(
      'schema-defaults.yaml',
      'defaults: { jsonSchema: { type: object } }\ntasks:\n  - { id: s, prompt: p, compete: 2 }\n  - { id: j, prompt: pick, judge: s }\n',
    );
    const spec = await loadWorkflowFile(file);
    expect(spec.tasks.map((task) => [task.id, task.jsonSchema])).toEqual([
      ['s', { type: 'object' }],
      ['j', undefined],
    ]);
  });

  it.each([
    ['unknown field', 'tasks: [{ id: a, prompt: p, dependOn: [b] }]', /task 1 \(id "a"\): unknown field "dependOn" \(did you mean "dependsOn"\?\)$/],
    ['misspelt prompt', 'tasks: [{ id: a, promt: p }]', /task 1 \(id "a"\): unknown field "promt" \(did you mean "prompt"\?\)$/],
    ['misspelt default', 'defaults: { modle: sonnet }\ntasks: [{ id: a, prompt: p }]', /field "defaults": unknown field "modle" \(did you mean "model"\?\)$/],
    ['no close field', 'tasks: [{ id: a, prompt: p, colour: red }]', /task 1 \(id "a"\): unknown field "colour"$/],
    [
      'wrong type',
      'tasks: [{ id: a, prompt: p }, { id: b, prompt: p, priority: high }]',
      /task 2 \(id "b"\), field "priority": Invalid input: expected number/,
    ],
    [
      'bad each',
      'tasks: [{ id: a, prompt: p, each: 3 }]',
      /task 1 \(id "a"\), field "each": expected a list of items, \{file: <one item per line>\} or \{dir: <one item per file>\}/,
    ],
    ['bad compete', 'tasks: [{ id: a, prompt: p, compete: yes }]', /field "compete": expected a number of competitors, or a list of models/],
    ['no prompt', 'tasks: [{ id: a }]', /task 1 \(id "a"\), field "prompt": a prompt is required/],
    ['prompt and promptFile', 'tasks: [{ id: a, prompt: p, promptFile: x.md }]', /task 1 \(id "a"\): give "prompt" or "promptFile", not both/],
    ['missing promptFile', 'tasks: [{ id: a, promptFile: nope.md }]', /task 1 \(id "a"\), field "promptFile": nope\.md: cannot read .*nope\.md: no such file/],
    ['missing each dir', 'tasks: [{ id: a, prompt: p, each: { dir: nodir } }]', /field "each": nodir: cannot read the directory: no such file/],
    ['bad timeout', 'tasks: [{ id: a, prompt: p, timeout: soon }]', /field "timeout": expected a duration/],
    ['top-level typo', 'task: [{ id: a, prompt: p }]', /unknown field "task" \(did you mean "tasks"\?\)/],
    ['not YAML', 'tasks: [ {', /not valid YAML or JSON: .* at line \d+, column \d+$/],
    ['empty file', '', /bad\.yaml: the file is empty; expected a list of tasks, or \{defaults, tasks\}$/],
  ])('%s: one clear message', async (_name, text, message) => {
    expect(await errorOf('bad.yaml', text)).toMatch(message);
  });

  it('says which task --each-file names when it does not exist', async () => {
    expect(await errorOf('each.yaml', 'tasks: [{ id: a, prompt: p }]', { eachFiles: { b: 'x.txt' } })).toMatch(
      /--each-file b=x\.txt: .*each\.yaml has no task "b"; its tasks are: a/,
    );
  });

  it('names a missing file', async () => {
    await expect(loadWorkflowFile(path.join(dir, 'absent.yaml'))).rejects.toThrow(/cannot read .*absent\.yaml: no such file/);
  });
});

describe('durations in task files', () => {
  it('reads a bare number as seconds, like the CLI and like the same number as a string', async () => {
    const file = await write(
      'durations.yaml',
      `defaults: { idleTimeout: 30 }
tasks:
  - { id: a, prompt: x, timeout: 90 }
  - { id: b, prompt: x, timeout: "90" }
  - { id: c, prompt: x, timeout: 1.5, idleTimeout: 250ms }
  - { id: d, prompt: x, timeoutMs: 90 }
`,
    );
    const spec = await loadWorkflowFile(file);
    const byId = Object.fromEntries(spec.tasks.map((task) => [task.id, task]));
    expect(byId.a).toMatchObject({ timeoutMs: 90_000, idleTimeoutMs: 30_000 });
    expect(byId.b).toMatchObject({ timeoutMs: 90_000 });
    expect(byId.c).toMatchObject({ timeoutMs: 1_500, idleTimeoutMs: 250 });
    expect(byId.d).toMatchObject({ timeoutMs: 90 });
    const { tasksFromFileContent } = await import('../../src/workflow/task-file-schema.js');
    expect(tasksFromFileContent([{ id: 'a', prompt: 'x', timeout: 90, idleTimeout: 2 }], 'tasks.yaml')[0]).toMatchObject({
      timeoutMs: 90_000,
      idleTimeoutMs: 2_000,
    });
  });

  it('refuses a duration of zero or below in any form', async () => {
    for (const value of ['0', '-5', '"0s"'])
      expect(await errorOf(`zero-${value.length}.yaml`, `- { id: a, prompt: x, timeout: ${value} }\n`)).toMatch(/task 1 \(id "a"\), field "timeout"/);
  });
});
