// Which adapter runs a task: the one place that maps `task.agent` to an AgentAdapter.

import type { AgentKind } from '../types.js';
import type { AgentAdapter } from './adapter.js';
import type { AgentBinary, VendorKind } from './agent-bin.js';
import { createClaudeAdapter } from './claude.js';
import { createCodexAdapter } from './codex.js';
import { createCommandAdapter } from './command.js';
import { createGeminiAdapter } from './gemini.js';

/** Finds a vendor CLI's executable (called only for the kind a task needs). */
export type BinaryFinder = (kind: VendorKind) => AgentBinary;

export function createAdapter(kind: AgentKind | undefined, findBinary: BinaryFinder): AgentAdapter {
  switch (kind ?? 'claude') {
    case 'command':
      return createCommandAdapter();
    case 'codex': {
      const bin = findBinary('codex');
      return createCodexAdapter(bin.file, bin.version);
    }
    case 'gemini': {
      const bin = findBinary('gemini');
      return createGeminiAdapter(bin.file, bin.version);
    }
    default:
      return createClaudeAdapter(findBinary('claude').file);
  }
}
