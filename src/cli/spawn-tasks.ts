// Turning `herd spawn` flags into validated tasks: the same prompt N times, a prompt
// file, or a task file whose tasks take the flags as defaults.

import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { parseJsonSchema, parsePermissionMode, parsePositiveDuration, parsePositiveInt, parsePositiveNumber, validateTasks } from '../options.js';
import type { AgentKind, AgentTask, RepoOptions, RunBudgetLimits } from '../types.js';
import { commandDefaultsFromFlags, repoOptionsFromFlags, type RepoFlags } from './repo-flags.js';
import { decodeRawBytes } from '../text/raw-bytes.js';

export interface SpawnFlags {
  count?: string;
  promptFile?: string;
  tasks?: string;
  model?: string;
  systemPrompt?: string;
  appendSystemPrompt?: string;
  permissionMode?: string;
  maxTurns?: string;
  maxBudgetUsd?: string;
  allowedTools?: string[];
  disallowedTools?: string[];
  addDir?: string[];
  jsonSchema?: string;
  timeout?: string;
  idleTimeout?: string;
  command?: string[];
  promptStdin?: boolean;
  /** --agent: claude, codex, gemini or command (commander checked the choice). */
  agent?: AgentKind;
}

export async function buildSpawnTasks(prompt: string | undefined, flags: SpawnFlags): Promise<AgentTask[]> {
  return (await buildSpawnRun(prompt, flags)).tasks;
}

/**
 * The tasks, the spending limits a task file sets at its top (maxCostUsd, warnCostUsd; the flags
 * win), and the repository they work on (flags, else the task file's defaults.repo).
 */
export async function buildSpawnRun(
  prompt: string | undefined,
  flags: SpawnFlags & RepoFlags,
): Promise<{ tasks: AgentTask[]; budget: RunBudgetLimits; repo?: RepoOptions }> {
  const defaults = { ...taskDefaultsFromFlags(flags), ...commandDefaultsFromFlags(flags) };
  if (flags.tasks !== undefined) {
    if (prompt !== undefined || flags.promptFile !== undefined) throw new UsageError('give either a prompt (or --prompt-file) or --tasks, not both');
    if (flags.count !== undefined) throw new UsageError('-n/--count does not apply to --tasks: the file says how many agents run');
    // Loaded only for --tasks: it brings yaml and zod.
    const { loadTaskDocument } = await import('../workflow/task-file.js');
    const document = await loadTaskDocument(flags.tasks);
    const tasks = document.tasks.map((task) => ({ ...defaults, ...task }));
    const dependent = tasks.find((task) => task.dependsOn?.length);
    if (dependent)
      throw new UsageError(
        `${flags.tasks}: task "${dependent.id}" has dependsOn; spawn runs every task at once, so run this file with \`herd run ${flags.tasks}\``,
      );
    try {
      validateTasks(tasks);
    } catch (error) {
      // Say which file: "agent id "a" is used twice" alone does not.
      throw error instanceof UsageError ? new UsageError(`${flags.tasks}: ${error.message}`) : error;
    }
    const repo = repoOptionsFromFlags(flags, document.repo);
    return { tasks, budget: document.budget, ...(repo ? { repo } : {}) };
  }
  const text = await readPrompt(prompt, flags.promptFile);
  const count = flags.count === undefined ? 1 : parsePositiveInt('-n/--count', flags.count, 1000);
  const tasks = Array.from({ length: count }, (_, index) => ({ ...defaults, id: `agent-${index + 1}`, prompt: text }));
  validateTasks(tasks);
  const repo = repoOptionsFromFlags(flags);
  return { tasks, budget: {}, ...(repo ? { repo } : {}) };
}

async function readPrompt(prompt: string | undefined, promptFile: string | undefined): Promise<string> {
  if (prompt !== undefined && promptFile !== undefined) throw new UsageError('give either a prompt or --prompt-file, not both');
  let text = prompt;
  if (promptFile !== undefined) {
    try {
      // Bytes that are not UTF-8 are kept (see raw-bytes.ts), so the agent gets the file as it is.
      text = decodeRawBytes(promptFile === '-' ? await readStdin() : await readFile(promptFile));
    } catch (error) {
      throw new UsageError(
        `--prompt-file: cannot read ${promptFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`,
      );
    }
  }
  if (text === undefined || text.trim() === '')
    throw new UsageError('missing prompt: `herd spawn "<prompt>" -n <count>`, or --prompt-file <file>, or --tasks <file>');
  return text;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function taskDefaultsFromFlags(flags: SpawnFlags): Omit<AgentTask, 'id' | 'prompt'> {
  if (flags.promptStdin === true && !flags.command?.length)
    throw new UsageError('--prompt-stdin only applies with --command (claude gets long or non-UTF-8 prompts on stdin by itself)');
  const defaults: Omit<AgentTask, 'id' | 'prompt'> = {};
  if (flags.agent !== undefined && flags.agent !== 'command' && flags.command?.length)
    throw new UsageError(`--command runs a command agent; it does not go with --agent ${flags.agent}`);
  if (flags.agent === 'command' && !flags.command?.length) throw new UsageError('--agent command needs --command <argv...>');
  if (flags.agent !== undefined && flags.agent !== 'claude') defaults.agent = flags.agent;
  if (flags.command?.length) {
    defaults.agent = 'command';
    defaults.command = flags.command;
    if (flags.promptStdin === true) {
      defaults.promptStdin = true;
      defaults.promptArg = false;
    }
  }
  if (flags.model !== undefined) defaults.model = flags.model;
  if (flags.systemPrompt !== undefined) defaults.systemPrompt = flags.systemPrompt;
  if (flags.appendSystemPrompt !== undefined) defaults.appendSystemPrompt = flags.appendSystemPrompt;
  if (flags.permissionMode !== undefined) defaults.permissionMode = parsePermissionMode('--permission-mode', flags.permissionMode);
  if (flags.maxTurns !== undefined) defaults.maxTurns = parsePositiveInt('--max-turns', flags.maxTurns, 1000);
  if (flags.maxBudgetUsd !== undefined) defaults.maxBudgetUsd = parsePositiveNumber('--max-budget-usd', flags.maxBudgetUsd);
  if (flags.allowedTools?.length) defaults.allowedTools = splitList(flags.allowedTools);
  if (flags.disallowedTools?.length) defaults.disallowedTools = splitList(flags.disallowedTools);
  if (flags.addDir?.length) defaults.addDirs = flags.addDir;
  if (flags.jsonSchema !== undefined) defaults.jsonSchema = parseJsonSchema('--json-schema', flags.jsonSchema);
  if (flags.timeout !== undefined) defaults.timeoutMs = parsePositiveDuration('--timeout', flags.timeout);
  if (flags.idleTimeout !== undefined) defaults.idleTimeoutMs = parsePositiveDuration('--idle-timeout', flags.idleTimeout);
  return defaults;
}

/** "Read,Write" and repeated flags both work. */
const splitList = (values: string[]) =>
  values
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter(Boolean);
