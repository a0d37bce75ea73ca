// What is valid input, in one place: agent ids, run ids, durations, counts, tasks and
// task files. Every message names the field, the value received and what is allowed.

import { z } from 'zod';
import { UsageError } from './errors.js';
import { PERMISSION_MODES, type AgentTask, type PermissionMode } from './types.js';

/** Ids become directory names: letters, digits, dot, dash, underscore; no path can be built from them. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function validateId(kind: 'agent id' | 'run id' | 'task id', value: string): string {
  if (!ID_PATTERN.test(value) || value.includes('..')) {
    throw new UsageError(
      `${kind} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)} is not allowed: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return value;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "5m", "1.5h", "250ms", or a bare number of seconds. */
export function parseDuration(field: string, value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new UsageError(`${field}: expected a duration like 500ms, 90s, 5m or 1h, got ${JSON.stringify(value)}`);
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
  if (!Number.isFinite(ms) || ms > 7 * 24 * 3_600_000) throw new UsageError(`${field}: duration ${JSON.stringify(value)} is too long (at most 7 days)`);
  return Math.round(ms);
}

export function parsePositiveInt(field: string, value: string | number, max = 10_000): number {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < 1 || number > max) {
    throw new UsageError(`${field}: expected a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function parseNonNegativeInt(field: string, value: string | number, max: number): number {
  const number = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(number) || number < 0 || number > max) {
    throw new UsageError(`${field}: expected a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  }
  return number;
}

export function parsePositiveNumber(field: string, value: string): number {
  const number = Number(value);
  if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || !(number > 0)) throw new UsageError(`${field}: expected a positive number, got ${JSON.stringify(value)}`);
  return number;
}

export function parsePermissionMode(field: string, value: string): PermissionMode {
  if (!(PERMISSION_MODES as readonly string[]).includes(value)) {
    throw new UsageError(`${field}: expected one of ${PERMISSION_MODES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as PermissionMode;
}

/** KEY=VALUE (for --env); the key must be a plain variable name. */
export function parseEnvAssignment(field: string, value: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(value);
  if (!match) throw new UsageError(`${field}: expected NAME=value, got ${JSON.stringify(value.split('=')[0])}=...`);
  return [match[1]!, match[2]!];
}

const durationField = z.union([z.number().int().positive(), z.string()]);
const stringList = z.array(z.string().min(1));

/** One task as written in a task file (durations may be strings like "90s"). */
export const taskFileTaskSchema = z
  .object({
    id: z.string().optional(),
    prompt: z.string().optional(),
    agent: z.enum(['claude', 'command']).optional(),
    command: z.array(z.string()).min(1).optional(),
    promptArg: z.boolean().optional(),
    model: z.string().min(1).optional(),
    systemPrompt: z.string().optional(),
    appendSystemPrompt: z.string().optional(),
    allowedTools: stringList.optional(),
    disallowedTools: stringList.optional(),
    permissionMode: z.enum(PERMISSION_MODES).optional(),
    maxTurns: z.number().int().positive().optional(),
    maxBudgetUsd: z.number().positive().optional(),
    addDirs: stringList.optional(),
    env: z.record(z.string(), z.string()).optional(),
    timeout: durationField.optional(),
    idleTimeout: durationField.optional(),
    timeoutMs: z.number().int().positive().optional(),
    idleTimeoutMs: z.number().int().positive().optional(),
    files: z.record(z.string(), z.string()).optional(),
    dependsOn: z.array(z.string()).optional(),
    priority: z.number().int().optional(),
  })
  .strict();

export type TaskFileTask = z.infer<typeof taskFileTaskSchema>;

const taskListSchema = z.array(taskFileTaskSchema);
const taskDocumentSchema = z.object({ defaults: taskFileTaskSchema.omit({ id: true, prompt: true }).optional(), tasks: z.array(taskFileTaskSchema).min(1) }).strict();

/** Validate a parsed task file (a list of tasks, or {defaults, tasks}); every problem names the task and field. */
export function tasksFromFileContent(content: unknown, source: string): AgentTask[] {
  // Two schemas picked by shape rather than one union: a union's error would only say "invalid input".
  const parsed = Array.isArray(content) ? taskListSchema.safeParse(content) : taskDocumentSchema.safeParse(content);
  if (!parsed.success) throw new UsageError(`${source}: ${describeZodIssue(parsed.error.issues[0], content)}`);
  const { defaults, tasks } = Array.isArray(parsed.data) ? { defaults: {}, tasks: parsed.data } : { defaults: parsed.data.defaults ?? {}, tasks: parsed.data.tasks };
  if (tasks.length === 0) throw new UsageError(`${source}: the file has no tasks`);
  return tasks.map((task, index) => toAgentTask({ ...defaults, ...task }, index, source));
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
  const field = issuePath.slice(tasksIndex + 1).map(String).join('.');
  return `task ${index + 1}${typeof id === 'string' ? ` (id "${id}")` : ''}${field ? `, field "${field}"` : ''}`;
}

export function toAgentTask(entry: TaskFileTask, index: number, source: string): AgentTask {
  const label = `${source}: task ${index + 1}${entry.id ? ` (id "${entry.id}")` : ''}`;
  if (entry.prompt === undefined || entry.prompt.trim() === '') throw new UsageError(`${label}, field "prompt": a prompt is required`);
  if (entry.agent === 'command' && !entry.command) throw new UsageError(`${label}, field "command": agent "command" needs a command array`);
  const { timeout, idleTimeout, ...rest } = entry;
  const task = { ...dropUndefined(rest), id: entry.id ?? `agent-${index + 1}`, prompt: entry.prompt } as AgentTask;
  try {
    validateId('task id', task.id);
  } catch (error) {
    throw new UsageError(`${label}, field "id": ${(error as Error).message}`);
  }
  if (timeout !== undefined) task.timeoutMs = typeof timeout === 'number' ? timeout : parseDuration(`${label}, field "timeout"`, timeout);
  if (idleTimeout !== undefined) task.idleTimeoutMs = typeof idleTimeout === 'number' ? idleTimeout : parseDuration(`${label}, field "idleTimeout"`, idleTimeout);
  return task;
}

/** Checks a whole batch before anything starts: ids valid and unique, prompts present. */
export function validateTasks(tasks: readonly AgentTask[]): void {
  if (tasks.length === 0) throw new UsageError('no tasks to run');
  const seen = new Set<string>();
  for (const task of tasks) {
    validateId('agent id', task.id);
    if (seen.has(task.id)) throw new UsageError(`agent id "${task.id}" is used twice; ids must be unique`);
    seen.add(task.id);
    if (typeof task.prompt !== 'string' || task.prompt.length === 0) throw new UsageError(`agent "${task.id}": the prompt is empty`);
    if (task.agent === 'command' && !task.command?.length) throw new UsageError(`agent "${task.id}": agent "command" needs a command`);
  }
}

/** Default concurrency: everything at once, up to 8. */
export function defaultConcurrency(taskCount: number): number {
  return Math.max(1, Math.min(8, taskCount));
}

/** zod types optional fields as `T | undefined`; herd's types (exactOptionalPropertyTypes) want them absent. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
