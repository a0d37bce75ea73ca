// Reading a task file (YAML or JSON; YAML is a superset) into validated tasks.

import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import { tasksFromFileContent } from '../task-file-schema.js';
import type { AgentTask } from '../types.js';

export async function loadTaskFile(file: string): Promise<AgentTask[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--tasks: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let content: unknown;
  try {
    content = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new UsageError(`${file}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return tasksFromFileContent(content, file);
}
