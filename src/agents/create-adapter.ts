// Which adapter runs a task: the one place that maps `task.agent` to an AgentAdapter.

import type { AgentKind } from '../types.js';
import type { AgentAdapter } from './adapter.js';
import { createClaudeAdapter } from './claude.js';
import { createCommandAdapter } from './command.js';

export function createAdapter(kind: AgentKind | undefined, claudeBin: () => string): AgentAdapter {
  return kind === 'command' ? createCommandAdapter() : createClaudeAdapter(claudeBin());
}
