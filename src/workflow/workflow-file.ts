// Reading a workflow task file (YAML or JSON) into a WorkflowSpec: the task-file fields of
// `herd spawn --tasks` plus `promptFile`, `each`, `compete`, `judge`, `optional`, and
// top-level `name`, `vars`, `shared`, `defaults`, `maxCostUsd`, `warnCostUsd`. Paths in the file (promptFile, each
// file/dir, addDirs, shared.dir) are relative to the file's own directory.

import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseTaskDocument } from './task-file.js';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { describeZodIssue, repoFromDefaults, runDefaultsShape, taskDefaults, taskFileTaskSchema, toAgentTask } from './task-file-schema.js';
import type { RepoOptions } from '../types.js';
import type { SharedSpec, WorkflowSpec, WorkflowTaskSpec } from './spec.js';

/** Seeded item files are read whole; a map over files is for documents, not data sets. */
const MAX_ITEM_FILE_BYTES = 1024 * 1024;

const eachSchema = z.union([z.array(z.string()).min(1), z.object({ file: z.string().min(1) }).strict(), z.object({ dir: z.string().min(1) }).strict()], {
  error: 'expected a list of items, {file: <one item per line>} or {dir: <one item per file>}',
});

const workflowTaskSchema = taskFileTaskSchema.extend({
  promptFile: z.string().min(1).optional(),
  each: eachSchema.optional(),
  compete: z
    .union([z.number().int(), z.array(z.string().min(1))], { error: 'expected a number of competitors, or a list of models (one competitor each)' })
    .optional(),
  judge: z.string().min(1).optional(),
  optional: z.boolean().optional(),
  pick: z.literal('check', { error: 'expected "check" (the candidate whose check passed with the smallest change wins; no judge agent runs)' }).optional(),
  baseFrom: z.string().min(1).optional(),
});
type WorkflowFileTask = z.infer<typeof workflowTaskSchema>;

const sharedSchema = z.union([z.boolean(), z.object({ dir: z.string().min(1).optional(), files: z.record(z.string(), z.string()).optional() }).strict()], {
  error: 'expected true, or {dir, files}',
});

const workflowDocumentSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    shared: sharedSchema.optional(),
    maxCostUsd: z.number().positive().optional(),
    warnCostUsd: z.number().positive().optional(),
    defaults: taskFileTaskSchema.omit({ id: true, prompt: true }).extend(runDefaultsShape).optional(),
    tasks: z.array(workflowTaskSchema).min(1),
  })
  .strict();

const WORKFLOW_TASK_FIELDS = Object.keys(workflowTaskSchema.shape);

/** The fields allowed at `issuePath` of a workflow file, for did-you-mean on a misspelt one. */
function workflowFields(issuePath: readonly PropertyKey[]): readonly string[] {
  if (issuePath.length === 0) return Object.keys(workflowDocumentSchema.shape);
  const last = issuePath.at(-1);
  if (last === 'defaults')
    return [
      ...WORKFLOW_TASK_FIELDS.filter((field) => field in taskFileTaskSchema.shape && field !== 'id' && field !== 'prompt'),
      ...Object.keys(runDefaultsShape),
    ];
  if (last === 'shared') return ['dir', 'files'];
  return typeof last === 'number' ? WORKFLOW_TASK_FIELDS : [];
}

export interface LoadWorkflowOptions {
  /** `--each-file <task>=<file>`: the items of these tasks come from these files (one per line). */
  eachFiles?: Record<string, string>;
  /** `--shared`: give the run a shared directory even if the file does not ask for one. */
  shared?: boolean;
}

/** A judge answers in herd's verdict format, so it does not inherit a default jsonSchema (one of its own is an error). */
function defaultsFor<T extends { judge?: string | undefined }, D extends { jsonSchema?: unknown }>(task: T, defaults: D): D {
  if (task.judge === undefined || defaults.jsonSchema === undefined) return defaults;
  const { jsonSchema: _notForJudges, ...rest } = defaults;
  return rest as D;
}

export async function loadWorkflowFile(file: string, options: LoadWorkflowOptions = {}): Promise<WorkflowSpec> {
  const absolute = path.resolve(file);
  const content = parseTaskDocument(await readText(absolute, file), file);
  return workflowFromContent(content, absolute, options);
}

/** Validate parsed file content; `file` (absolute) anchors relative paths and names the source in messages. */
export async function workflowFromContent(content: unknown, file: string, options: LoadWorkflowOptions = {}): Promise<WorkflowSpec> {
  const source = file.startsWith(process.cwd() + path.sep) ? path.relative(process.cwd(), file) : file;
  const document = Array.isArray(content) ? { tasks: content } : content;
  const parsed = workflowDocumentSchema.safeParse(document);
  if (!parsed.success) {
    // A misspelt key explains the rest ("task:" leaves "tasks" missing), so it is reported first.
    const issues = parsed.error.issues;
    throw new UsageError(`${source}: ${describeZodIssue(issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0], document, workflowFields)}`);
  }
  const { defaults: fileDefaults = {}, tasks, vars, shared, name, maxCostUsd, warnCostUsd } = parsed.data;
  const base = path.dirname(file);
  let repo: RepoOptions | undefined;
  try {
    repo = repoFromDefaults(fileDefaults, base);
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`${source}: ${error.message}`) : error;
  }
  const defaults = taskDefaults(fileDefaults);
  const specs: WorkflowTaskSpec[] = [];
  for (const [index, task] of tasks.entries()) specs.push(await toTaskSpec({ ...defaultsFor(task, defaults), ...task }, index, source, base));
  await applyEachFiles(specs, options.eachFiles ?? {}, source);
  const spec: WorkflowSpec = { file, tasks: specs };
  if (repo !== undefined) spec.repo = repo;
  if (name !== undefined) spec.name = name;
  if (maxCostUsd !== undefined) spec.maxCostUsd = maxCostUsd;
  if (warnCostUsd !== undefined) spec.warnCostUsd = warnCostUsd;
  if (vars !== undefined) spec.vars = Object.fromEntries(Object.entries(vars).map(([key, value]) => [key, String(value)]));
  const sharedSpec = toSharedSpec(shared, base) ?? (options.shared ? {} : undefined);
  if (sharedSpec !== undefined) spec.shared = sharedSpec;
  return spec;
}

async function toTaskSpec(entry: WorkflowFileTask, index: number, source: string, base: string): Promise<WorkflowTaskSpec> {
  const { promptFile, each, compete, judge, optional, dependsOn, pick, baseFrom, ...taskFields } = entry;
  const label = `${source}: task ${index + 1}${entry.id ? ` (id "${entry.id}")` : ''}`;
  // A pick runs no agent, so it needs no prompt; one is recorded to say what it was.
  if (pick !== undefined && taskFields.prompt === undefined && promptFile === undefined && judge !== undefined)
    taskFields.prompt = `pick: ${pick} among the candidates of ${judge}`;
  if (promptFile !== undefined && taskFields.prompt !== undefined) throw new UsageError(`${label}: give "prompt" or "promptFile", not both`);
  if (promptFile !== undefined) taskFields.prompt = await readText(path.resolve(base, promptFile), `${label}, field "promptFile": ${promptFile}`);
  const task: WorkflowTaskSpec = toAgentTask(taskFields, index, source);
  if (task.addDirs) task.addDirs = task.addDirs.map((dir) => path.resolve(base, dir));
  if (dependsOn !== undefined) task.dependsOn = dependsOn;
  if (compete !== undefined) task.compete = compete;
  if (judge !== undefined) task.judge = judge;
  if (optional !== undefined) task.optional = optional;
  if (pick !== undefined) task.pick = pick;
  if (baseFrom !== undefined) task.baseFrom = baseFrom;
  if (each !== undefined) Object.assign(task, await readEach(each, base, `${label}, field "each"`));
  return task;
}

async function readEach(each: NonNullable<WorkflowFileTask['each']>, base: string, label: string): Promise<Pick<WorkflowTaskSpec, 'each' | 'eachFiles'>> {
  if (Array.isArray(each)) return { each };
  if ('file' in each) return { each: await readItemLines(path.resolve(base, each.file), `${label}: ${each.file}`) };
  return readItemDir(path.resolve(base, each.dir), `${label}: ${each.dir}`);
}

/** One item per line; blank lines and `#` comments are not items. */
async function readItemLines(file: string, label: string): Promise<string[]> {
  const items = (await readText(file, label))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (items.length === 0) throw new UsageError(`${label}: the file has no items`);
  return items;
}

/** One item per regular file (sorted by name, dot files left out); each file is seeded into its agent's workspace. */
async function readItemDir(dir: string, label: string): Promise<Pick<WorkflowTaskSpec, 'each' | 'eachFiles'>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort();
  } catch (error) {
    throw new UsageError(`${label}: cannot read the directory: ${describeReadError(error)}`);
  }
  const eachFiles: Record<string, string> = {};
  for (const name of names) {
    const file = path.join(dir, name);
    const info = await stat(file);
    if (!info.isFile()) continue;
    if (info.size > MAX_ITEM_FILE_BYTES) throw new UsageError(`${label}: ${name} is ${info.size} bytes; item files may be at most ${MAX_ITEM_FILE_BYTES}`);
    eachFiles[name] = await readFile(file, 'utf8');
  }
  const each = Object.keys(eachFiles);
  if (each.length === 0) throw new UsageError(`${label}: the directory has no files`);
  return { each, eachFiles };
}

async function applyEachFiles(specs: WorkflowTaskSpec[], eachFiles: Record<string, string>, source: string): Promise<void> {
  for (const [id, file] of Object.entries(eachFiles)) {
    const task = specs.find((candidate) => candidate.id === id);
    if (!task) throw new UsageError(`--each-file ${id}=${file}: ${source} has no task "${id}"; its tasks are: ${specs.map((spec) => spec.id).join(', ')}`);
    task.each = await readItemLines(path.resolve(file), `--each-file ${id}=${file}`);
    delete task.eachFiles;
  }
}

function toSharedSpec(shared: z.infer<typeof sharedSchema> | undefined, base: string): SharedSpec | undefined {
  if (shared === undefined || shared === false) return undefined;
  if (shared === true) return {};
  const spec: SharedSpec = {};
  if (shared.dir !== undefined) spec.dir = path.resolve(base, shared.dir);
  if (shared.files !== undefined) spec.files = shared.files;
  return spec;
}

async function readText(file: string, label: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${label}: cannot read ${file}: ${describeReadError(error)}`);
  }
}

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
}
