// Finding the `claude` executable: an explicit path (--claude-bin / HERD_CLAUDE_BIN),
// else `claude` on PATH, else the native binary of the @anthropic-ai/claude-code package
// herd depends on, so `npm install` alone gives a working agent. The search is the one every
// vendor CLI shares (agent-bin.ts).

import { resolveAgentBin } from './agent-bin.js';

export function resolveClaudeBin(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolveAgentBin('claude', explicit, env).file;
}
