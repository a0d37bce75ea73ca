// What is valid input, in one place: agent ids, run ids, durations, counts, tasks and
// task files. Every message names the field, the value received and what is allowed.

import os from 'node:os';
import path from 'node:path';
import { UsageError } from './errors.js';
import { PERMISSION_MODES, type AgentTask, type PermissionMode } from './types.js';

/** Ids become directory names: letters, digits, dot, dash, underscore; no path can be built from them. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Names herd writes in a run's directory (store/: run.json, events.jsonl, run.lock and their
 * temp files and takeover markers; report/: report.html). An agent's workspace is a directory
 * beside them named after its id, so no agent (or task) id may take one. Compared without case:
 * on a case-insensitive disk RUN.JSON is run.json.
 */
export const RUN_HOME_FILES = ['run.json', 'events.jsonl', 'run.lock', 'report.html'] as const;
/** Run ids that stand for the newest run (store/run-ref.ts); `-` and `@` are not ids anyway. */
const RESERVED_RUN_IDS = ['latest'];

export function validateId(kind: 'agent id' | 'run id' | 'task id', value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (!ID_PATTERN.test(value) || value.includes('..')) {
    throw new UsageError(`${kind} ${shown} is not allowed: use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  const lower = value.toLowerCase();
  if (kind !== 'run id' && RUN_HOME_FILES.some((name) => lower === name || lower.startsWith(`${name}.`)))
    throw new UsageError(`${kind} ${shown} is not allowed: herd keeps its own file of that name in the run's directory`);
  if (kind === 'run id' && RESERVED_RUN_IDS.includes(lower)) throw new UsageError(`run id ${shown} is not allowed: it stands for the newest run`);
  return value;
}

/**
 * Seed files (relative path -> content) are checked before anything is created: each path must
 * stay inside the workspace, and no path may be both a file and a directory of another
 * (`{d: x, d/e: y}`), or name one file twice (`a` and `./a`).
 */
export function validateSeedFiles(owner: string, files: Record<string, string>): void {
  const filePaths = new Map<string, string>();
  const directories = new Map<string, string>();
  for (const [written, content] of Object.entries(files)) {
    const where = `${owner}: files: ${JSON.stringify(written)}`;
    if (typeof content !== 'string') throw new UsageError(`${where}: the content must be text`);
    const normal = path.posix.normalize(written);
    if (
      written === '' ||
      written.includes('\0') ||
      path.posix.isAbsolute(written) ||
      path.win32.isAbsolute(written) ||
      normal === '.' ||
      normal === '..' ||
      normal.startsWith('../')
    )
      throw new UsageError(`${where}: the path must be relative and stay inside the workspace`);
    if (normal.endsWith('/')) throw new UsageError(`${where}: names a directory; give a file path`);
    const twice = filePaths.get(normal) ?? directories.get(normal);
    if (twice !== undefined)
      throw new UsageError(`${where}: conflicts with ${JSON.stringify(twice)} (one path cannot be a file twice, or a file and a directory)`);
    filePaths.set(normal, written);
    for (let dir = path.posix.dirname(normal); dir !== '.'; dir = path.posix.dirname(dir)) {
      const clash = filePaths.get(dir);
      if (clash !== undefined) throw new UsageError(`${where}: conflicts with ${JSON.stringify(clash)} (one path cannot be a file and a directory)`);
      directories.set(dir, written);
    }
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "5m", "1.5h", "250ms", or a bare number of seconds. */
export function parseDuration(field: string, value: string): number {
  const match = DURATION.exec(value.trim());
  if (!match) throw new UsageError(`${field}: expected a duration like 500ms, 90s, 5m or 1h (a bare number is seconds), got ${JSON.stringify(value)}`);
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
  if (!Number.isFinite(ms) || ms > 7 * 24 * 3_600_000) throw new UsageError(`${field}: duration ${JSON.stringify(value)} is too long (at most 7 days)`);
  return Math.round(ms);
}

/** A duration that must be more than zero (a timeout of 0 would stop every agent at once). */
export function parsePositiveDuration(field: string, value: string): number {
  const ms = parseDuration(field, value);
  if (ms <= 0) throw new UsageError(`${field}: must be more than 0, got ${JSON.stringify(value)} (leave the flag out for no limit)`);
  return ms;
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
  // The value is never echoed: it may be a secret.
  if (!match)
    throw new UsageError(
      `${field}: expected NAME=value, got ${value.includes('=') ? `the name ${JSON.stringify(value.split('=')[0])}, which is not a variable name` : `${JSON.stringify(value)} (no "=")`}`,
    );
  return [match[1]!, match[2]!];
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
    if (task.promptStdin && task.agent !== 'command')
      throw new UsageError(`agent "${task.id}": promptStdin applies to agent "command" only (claude gets long or non-UTF-8 prompts on stdin by itself)`);
    for (const field of ['timeoutMs', 'idleTimeoutMs'] as const) {
      const value = task[field];
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new UsageError(`agent "${task.id}": ${field} must be a number of milliseconds above 0, got ${JSON.stringify(value)}`);
    }
    if (task.jsonSchema !== undefined && !isJsonObject(task.jsonSchema)) throw new UsageError(`agent "${task.id}": jsonSchema must be a JSON Schema object`);
    if (task.files !== undefined) validateSeedFiles(`agent "${task.id}"`, task.files);
    const nul = findNulByte(task);
    if (nul) throw new UsageError(`agent "${task.id}": ${nul}`);
    if (task.jsonSchema !== undefined && task.agent === 'gemini')
      throw new UsageError(`agent "${task.id}": jsonSchema is not supported by gemini (no structured output in its headless mode); use claude or codex`);
  }
}

/**
 * Where a task holds a NUL byte that cannot reach its agent, or undefined. No argument and no
 * environment variable can carry a NUL; only stdin can: claude gets such a prompt on stdin,
 * and so does a command agent with promptStdin (and promptArg: false, and then no $HERD_PROMPT).
 * A prompt filled at start (a dependency's output) is checked there instead (agents/prompt-delivery.ts).
 */
export function findNulByte(task: AgentTask): string | undefined {
  const hasNul = (text: string | undefined) => text?.includes('\0') === true;
  if (hasNul(task.prompt) && task.agent === 'command' && !(task.promptStdin === true && task.promptArg === false))
    return 'the prompt holds a NUL byte, which no argument or environment variable can carry; a command agent gets it on stdin with promptStdin: true and promptArg: false (--prompt-stdin)';
  const command = task.command?.findIndex(hasNul) ?? -1;
  if (command !== -1) return `command element ${command + 1} holds a NUL byte, which no argument can carry`;
  for (const [name, value] of Object.entries(task.env ?? {}))
    if (hasNul(name) || hasNul(value)) return `env ${JSON.stringify(name)} holds a NUL byte, which no environment variable can carry`;
  for (const field of ['model', 'systemPrompt', 'appendSystemPrompt'] as const)
    if (hasNul(task[field])) return `${field} holds a NUL byte, which no argument can carry`;
  for (const field of ['allowedTools', 'disallowedTools', 'addDirs'] as const)
    if (task[field]?.some(hasNul)) return `${field} holds a NUL byte, which no argument can carry`;
  if (Object.keys(task.files ?? {}).some(hasNul)) return 'a files path holds a NUL byte, which no file name can';
  return undefined;
}

/** A JSON Schema given as text (`--json-schema`): it must parse, to an object. */
export function parseJsonSchema(field: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${field}: expected a JSON Schema as JSON text, got ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)} (${(error as Error).message})`,
    );
  }
  if (!isJsonObject(parsed)) throw new UsageError(`${field}: expected a JSON Schema object such as {"type":"object",...}, got ${JSON.stringify(parsed)}`);
  return parsed;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Peak RSS of one claude process measured here (200-300 MB); the memory cap assumes the worst. */
export const AGENT_RSS_BYTES = 300 * 1024 * 1024;
/** Memory kept free for herd, the OS and everything else on the machine. */
const MEMORY_HEADROOM = 0.8;

/**
 * Memory this process may still use: inside a container with a memory limit (cgroup) that is
 * the limit's remainder, not the host's free memory (process.availableMemory, Node >= 20.13).
 */
export function availableMemoryBytes(): number {
  return typeof process.availableMemory === 'function' ? process.availableMemory() : os.freemem();
}

/** How many agents free memory holds, leaving headroom (at least 1). */
function memoryCap(freeMemoryBytes: number): number {
  return Math.max(1, Math.floor((freeMemoryBytes * MEMORY_HEADROOM) / AGENT_RSS_BYTES));
}

/**
 * Default concurrency: every agent at once, never more than free memory holds (so no agent
 * starts into swap). CPU is not a cap: the start gate (defaultStartSlots) spreads the costly
 * starts over the cores, and with model latency agents spend most of their time waiting. A
 * fixed cap of 8 made 10 agents take 11.5 s where all 10 at once took 8.1 s (5 s latency).
 */
export function defaultConcurrency(taskCount: number, freeMemoryBytes: number = availableMemoryBytes()): number {
  return Math.max(1, Math.min(taskCount, memoryCap(freeMemoryBytes)));
}

/**
 * Start slots when the user chose none: gate starts (one starting claude per core, the next when
 * one is up) only when more than 3 agents per core would start at once. Measured on 2 cores
 * (bench/stagger.ts): 5 at once (2.5 per core) finished as fast as gated (0.99), 8 and 10 at
 * once took 22-23% longer than gated; below the threshold, all start at once.
 */
export function defaultStartSlots(agentsAtOnce: number, cores: number = os.availableParallelism()): number {
  return agentsAtOnce > 3 * cores ? cores : 0;
}

/** `-c auto` or a number. Auto is the default's memory limit, said explicitly (the pool never runs more than there are agents). */
export function parseConcurrency(field: string, value: string, freeMemoryBytes: number = availableMemoryBytes()): number {
  if (value !== 'auto') return parsePositiveInt(field, value, 1000);
  return Math.min(1000, memoryCap(freeMemoryBytes));
}
