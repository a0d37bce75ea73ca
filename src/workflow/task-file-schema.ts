// What a task file may contain (zod schemas) and how a parsed file becomes validated tasks,
// with messages that name the task and field. Kept apart from options.ts so that commands
// which read no task file do not load zod at start-up.

import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parsePositiveDuration, validateId } from '../options.js';
import path from 'node:path';
import { AGENT_KINDS, PERMISSION_MODES, type AgentTask, type RepoOptions, type RunBudgetLimits } from '../types.js';
import { didYouMean } from '../text/did-you-mean.js';

/** A duration as on the command line: "90s", "5m", "250ms", or a bare number of seconds (90 and "90" alike). */
const durationField = z.union([z.number(), z.string()]);
const stringList = z.array(z.string().min(1));
const commandField = z.union([z.string().min(1), z.array(z.string()).min(1)], { error: 'expected a command line ("npm test") or a list of words' });

/** One task as written in a task file (durations may be strings like "90s"). */
export const taskFileTaskSchema = z
  .object({
    id: z.string().optional(),
    prompt: z.string().optional(),
    agent: z.enum(AGENT_KINDS).optional(),
    command: z.array(z.string()).min(1).optional(),
    promptArg: z.boolean().optional(),
    promptStdin: z.boolean().optional(),
    model: z.string().min(1).optional(),
    systemPrompt: z.string().optional(),
    appendSystemPrompt: z.string().optional(),
    allowedTools: stringList.optional(),
    disallowedTools: stringList.optional(),
    permissionMode: z.enum(PERMISSION_MODES).optional(),
    maxTurns: z.number().int().positive().optional(),
    maxBudgetUsd: z.number().positive().optional(),
    addDirs: stringList.optional(),
    jsonSchema: z.record(z.string(), z.unknown()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    timeout: durationField.optional(),
    idleTimeout: durationField.optional(),
    timeoutMs: z.number().int().positive().optional(),
    idleTimeoutMs: z.number().int().positive().optional(),
    files: z.record(z.string(), z.string()).optional(),
    dependsOn: z.array(z.string()).optional(),
    priority: z.number().int().optional(),
    sandbox: z.union([z.boolean(), z.object({ network: z.boolean().optional() }).strict()]).optional(),
    check: commandField.optional(),
    setup: commandField.optional(),
    checkTimeout: durationField.optional(),
    setupTimeout: durationField.optional(),
  })
  .strict();

/** What `defaults` may say about the run as a whole: the repository its agents work on. */
export const runDefaultsShape = {
  repo: z.string().min(1).optional(),
  copy: z.string().min(1).optional(),
  base: z.string().min(1).optional(),
  includeDirty: z.boolean().optional(),
};

/** The run-wide part of a file's defaults as RepoOptions (paths relative to the file's directory), if it names a repository. */
export function repoFromDefaults(
  defaults: { repo?: string | undefined; copy?: string | undefined; base?: string | undefined; includeDirty?: boolean | undefined } | undefined,
  baseDir: string,
): RepoOptions | undefined {
  if (!defaults || (defaults.repo === undefined && defaults.copy === undefined)) {
    if (defaults?.base !== undefined || defaults?.includeDirty !== undefined)
      throw new UsageError('defaults: base and includeDirty need defaults.repo (the repository the agents work on)');
    return undefined;
  }
  const repo: RepoOptions = {};
  if (defaults.repo !== undefined) repo.dir = path.resolve(baseDir, defaults.repo);
  if (defaults.copy !== undefined) repo.copy = path.resolve(baseDir, defaults.copy);
  if (defaults.base !== undefined) repo.base = defaults.base;
  if (defaults.includeDirty !== undefined) repo.includeDirty = defaults.includeDirty;
  return repo;
}

/** Drops the run-wide fields from defaults, leaving what each task inherits. */
export function taskDefaults<T extends object>(defaults: T): Omit<T, 'repo' | 'copy' | 'base' | 'includeDirty'> {
  const { repo: _repo, copy: _copy, base: _base, includeDirty: _includeDirty, ...rest } = defaults as T & Record<string, unknown>;
  return rest;
}

export type TaskFileTask = z.infer<typeof taskFileTaskSchema>;

const taskListSchema = z.array(taskFileTaskSchema);
const taskDocumentSchema = z
  .object({
    defaults: taskFileTaskSchema.omit({ id: true, prompt: true }).extend(runDefaultsShape).optional(),
    tasks: z.array(taskFileTaskSchema).min(1),
    maxCostUsd: z.number().positive().optional(),
    warnCostUsd: z.number().positive().optional(),
  })
  .strict();

/** A task file's run limits (top-level maxCostUsd, warnCostUsd of a {defaults, tasks} document), once the file is known valid. */
export function budgetFromFileContent(content: unknown): RunBudgetLimits {
  if (Array.isArray(content) || typeof content !== 'object' || content === null) return {};
  const { maxCostUsd, warnCostUsd } = content as RunBudgetLimits;
  return { ...(typeof maxCostUsd === 'number' ? { maxCostUsd } : {}), ...(typeof warnCostUsd === 'number' ? { warnCostUsd } : {}) };
}

/** Validate a parsed task file (a list of tasks, or {defaults, tasks}); every problem names the task and field. */
export function tasksFromFileContent(content: unknown, source: string): AgentTask[] {
  return taskFileFromContent(content, source, process.cwd()).tasks;
}

/** The tasks, and the repository `defaults` names (relative to `baseDir`, the file's directory). */
export function taskFileFromContent(content: unknown, source: string, baseDir: string): { tasks: AgentTask[]; repo?: RepoOptions } {
  // Two schemas picked by shape rather than one union: a union's error would only say "invalid input".
  const parsed = Array.isArray(content) ? taskListSchema.safeParse(content) : taskDocumentSchema.safeParse(content);
  if (!parsed.success) throw new UsageError(`${source}: ${describeZodIssue(parsed.error.issues[0], content)}`);
  const { defaults, tasks } = Array.isArray(parsed.data)
    ? { defaults: {}, tasks: parsed.data }
    : { defaults: parsed.data.defaults ?? {}, tasks: parsed.data.tasks };
  if (tasks.length === 0) throw new UsageError(`${source}: the file has no tasks`);
  let repo: RepoOptions | undefined;
  try {
    repo = repoFromDefaults(defaults, baseDir);
  } catch (error) {
    throw error instanceof UsageError ? new UsageError(`${source}: ${error.message}`) : error;
  }
  const inherited = taskDefaults(defaults);
  return { tasks: tasks.map((task, index) => toAgentTask({ ...inherited, ...task }, index, source)), ...(repo ? { repo } : {}) };
}

/**
 * One line naming the task and field. `knownFields(path)` lists the fields allowed where the
 * issue is, so a misspelt one (`promt:`) gets a did-you-mean instead of "Unrecognized key".
 */
export function describeZodIssue(
  issue: z.core.$ZodIssue | undefined,
  content: unknown,
  knownFields: (issuePath: readonly PropertyKey[]) => readonly string[] = taskFileFields,
): string {
  if (!issue) return 'invalid task file';
  const where = describePath(issue.path, content);
  if (issue.code === 'unrecognized_keys') {
    const known = knownFields(issue.path);
    const unknown = issue.keys.map((key) => `"${key}"${didYouMean(key, known)}`);
    return `${where}: unknown field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

const TASK_FIELDS = Object.keys(taskFileTaskSchema.shape);

/** The fields of a spawn task file at `issuePath`: the document's, or a task's (defaults: a task's but id and prompt). */
function taskFileFields(issuePath: readonly PropertyKey[]): readonly string[] {
  if (issuePath.length === 0) return ['defaults', 'tasks'];
  return issuePath.at(-1) === 'defaults'
    ? [...TASK_FIELDS.filter((field) => field !== 'id' && field !== 'prompt'), ...Object.keys(runDefaultsShape)]
    : TASK_FIELDS;
}

/** "task 2 (id "writer"), field "maxTurns"" rather than a bare path. */
function describePath(issuePath: readonly PropertyKey[], content: unknown): string {
  const tasksIndex = issuePath[0] === 'tasks' ? 1 : 0;
  const index = issuePath[tasksIndex];
  if (typeof index !== 'number') return issuePath.length ? `field "${issuePath.map(String).join('.')}"` : 'the file';
  const list = Array.isArray(content) ? content : (content as { tasks?: unknown[] } | undefined)?.tasks;
  const id = (list?.[index] as { id?: unknown } | undefined)?.id;
  const field = issuePath
    .slice(tasksIndex + 1)
    .map(String)
    .join('.');
  return `task ${index + 1}${typeof id === 'string' ? ` (id "${id}")` : ''}${field ? `, field "${field}"` : ''}`;
}

export function toAgentTask(entry: TaskFileTask, index: number, source: string): AgentTask {
  const label = `${source}: task ${index + 1}${entry.id ? ` (id "${entry.id}")` : ''}`;
  if (entry.prompt === undefined || entry.prompt.trim() === '') throw new UsageError(`${label}, field "prompt": a prompt is required`);
  if (entry.agent === 'command' && !entry.command) throw new UsageError(`${label}, field "command": agent "command" needs a command array`);
  const { timeout, idleTimeout, checkTimeout, setupTimeout, ...rest } = entry;
  const task = { ...dropUndefined(rest), id: entry.id ?? `agent-${index + 1}`, prompt: entry.prompt } as AgentTask;
  try {
    validateId('task id', task.id);
  } catch (error) {
    throw new UsageError(`${label}, field "id": ${(error as Error).message}`);
  }
  if (timeout !== undefined) task.timeoutMs = parsePositiveDuration(`${label}, field "timeout"`, String(timeout));
  if (idleTimeout !== undefined) task.idleTimeoutMs = parsePositiveDuration(`${label}, field "idleTimeout"`, String(idleTimeout));
  if (checkTimeout !== undefined) task.checkTimeoutMs = parsePositiveDuration(`${label}, field "checkTimeout"`, String(checkTimeout));
  if (setupTimeout !== undefined) task.setupTimeoutMs = parsePositiveDuration(`${label}, field "setupTimeout"`, String(setupTimeout));
  return task;
}

/** zod types optional fields as `T | undefined`; herd's types (exactOptionalPropertyTypes) want them absent. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
