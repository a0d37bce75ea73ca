// Reading a task file (YAML or JSON; YAML is a superset) into validated tasks.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import path from 'node:path';
import { budgetFromFileContent, taskFileFromContent } from './task-file-schema.js';
import type { AgentTask, RepoOptions, RunBudgetLimits } from '../types.js';

export async function loadTaskFile(file: string): Promise<AgentTask[]> {
  return (await loadTaskDocument(file)).tasks;
}

/**
 * The tasks, the run's spending limits when the file sets them (top-level maxCostUsd,
 * warnCostUsd), and the repository its defaults name (`defaults.repo`, relative to the file).
 */
export async function loadTaskDocument(file: string): Promise<{ tasks: AgentTask[]; budget: RunBudgetLimits; repo?: RepoOptions }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--tasks: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const content = parseTaskDocument(text, file);
  return { ...taskFileFromContent(content, file, path.dirname(path.resolve(file))), budget: budgetFromFileContent(content) };
}

/** YAML or JSON text to a value; a syntax error or an empty file is one line naming the file. */
export function parseTaskDocument(text: string, file: string): unknown {
  let content: unknown;
  try {
    content = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    // The first line says what and where ("... at line 3, column 1:"); the code frame follows it.
    const firstLine = (error as Error).message.split('\n')[0]!.replace(/:\s*$/, '');
    throw new UsageError(`${file}: not valid YAML or JSON: ${firstLine}`);
  }
  if (content === null || content === undefined) throw new UsageError(`${file}: the file is empty; expected a list of tasks, or {defaults, tasks}`);
  return content;
}
