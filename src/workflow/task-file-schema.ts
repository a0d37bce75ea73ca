// What a task file may contain (zod schemas) and how a parsed file becomes validated tasks,
// with messages that name the task and field. Kept apart from options.ts so that commands
// which read no task file do not load zod at start-up.

import { z } from 'zod';
import { UsageError } from '../errors.js';
import { parsePositiveDuration, validateId } from '../options.js';
import path from 'node:path';
import { PERMISSION_MODES, type AgentTask, type RepoOptions } from '../types.js';

const durationField = z.union([z.number().int().positive(), z.string()]);
const stringList = z.array(z.string().min(1));
const commandField = z.union([z.string().min(1), z.array(z.string()).min(1)], { error: 'expected a command line ("npm test") or a list of words' });

/** One task as written in a task file (durations may be strings like "90s"). */
export const taskFileTaskSchema = z
  .object({
    id: z.string().optional(),
    prompt: z.string().optional(),
    agent: z.enum(['claude', 'command']).optional(),
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
  })
  .strict();

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

export function describeZodIssue(issue: z.core.$ZodIssue | undefined, content: unknown): string {
  if (!issue) return 'invalid task file';
  const where = describePath(issue.path, content);
  return `${where}: ${issue.message}`;
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
  if (timeout !== undefined) task.timeoutMs = typeof timeout === 'number' ? timeout : parsePositiveDuration(`${label}, field "timeout"`, timeout);
  if (idleTimeout !== undefined)
    task.idleTimeoutMs = typeof idleTimeout === 'number' ? idleTimeout : parsePositiveDuration(`${label}, field "idleTimeout"`, idleTimeout);
  if (checkTimeout !== undefined)
    task.checkTimeoutMs = typeof checkTimeout === 'number' ? checkTimeout : parsePositiveDuration(`${label}, field "checkTimeout"`, checkTimeout);
  if (setupTimeout !== undefined)
    task.setupTimeoutMs = typeof setupTimeout === 'number' ? setupTimeout : parsePositiveDuration(`${label}, field "setupTimeout"`, setupTimeout);
  return task;
}

/** zod types optional fields as `T | undefined`; herd's types (exactOptionalPropertyTypes) want them absent. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
