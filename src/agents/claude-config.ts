// Where claude keeps its state for one agent: the config dir in use ($CLAUDE_CONFIG_DIR, else
// ~/.claude plus ~/.claude.json) and, inside it, the directory of the sessions started in one
// working directory (projects/<cwd with every other character than a letter or digit as "-">,
// as claude 2.1 names it). A sandboxed claude needs these writable, and only its own sessions
// visible: the others' transcripts hold their prompts and what their tools read.

import os from 'node:os';
import path from 'node:path';

export interface ClaudeStatePaths {
  /** Writable in the sandbox. */
  writable: string[];
  /** Hidden in the sandbox (the writable paths inside show through). */
  hidden: string[];
  /** Must exist before the agent starts, or its sessions would land in the hidden directory and be lost. */
  create: string[];
}

export function claudeProjectDirName(workspace: string): string {
  return workspace.replace(/[^A-Za-z0-9]/g, '-');
}

export function claudeStatePaths(env: Record<string, string | undefined>, workspace: string): ClaudeStatePaths {
  const home = env.HOME || os.homedir();
  const configDir = env.CLAUDE_CONFIG_DIR || path.join(home, '.claude');
  const projects = path.join(configDir, 'projects');
  const sessions = path.join(projects, claudeProjectDirName(workspace));
  // Without CLAUDE_CONFIG_DIR, claude also keeps its settings in ~/.claude.json.
  const settingsFile = env.CLAUDE_CONFIG_DIR ? [] : [path.join(home, '.claude.json')];
  return { writable: [configDir, ...settingsFile, sessions], hidden: [projects], create: [sessions] };
}
