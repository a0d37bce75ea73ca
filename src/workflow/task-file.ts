// Reading a task file (YAML or JSON; YAML is a superset) into validated tasks.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import path from 'node:path';
import { taskFileFromContent } from './task-file-schema.js';
import type { AgentTask, RepoOptions } from '../types.js';

export async function loadTaskFile(file: string): Promise<AgentTask[]> {
  return (await loadTaskFileWithRepo(file)).tasks;
}

/** The tasks, and the repository the file's defaults name (`defaults.repo`, relative to the file). */
export async function loadTaskFileWithRepo(file: string): Promise<{ tasks: AgentTask[]; repo?: RepoOptions }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--tasks: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return taskFileFromContent(parseTaskDocument(text, file), file, path.dirname(path.resolve(file)));
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
