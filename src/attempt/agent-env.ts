// The environment an agent process gets. By default the user's whole environment (so
// their Claude login, ANTHROPIC_BASE_URL gateway and CLAUDE_CONFIG_DIR just work), or only
// an allow-list; then herd's additions: the simulate server, --env, the task's env, and
// the tag that lets herd find the agent's escaped descendants.

import { AGENT_TAG_VARIABLE } from '../process/kill-tree.js';

/** Always passed through even with --env-allow: a process cannot run sensibly without them. */
const ESSENTIAL = ['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];
/** Set when herd itself runs inside Claude Code; a child claude would think it is nested. */
const NEVER_INHERITED = ['CLAUDECODE', 'CLAUDE_CODE_ENTRYPOINT', 'CLAUDE_CODE_SESSION_ID', AGENT_TAG_VARIABLE];
/** With --simulate nothing may send the agent to a real API or another account (Anthropic, OpenAI/Codex, Google/Gemini). */
const SIMULATE_DROPS = /^(ANTHROPIC_|CLAUDE_CODE_USE_|AWS_BEARER_TOKEN_BEDROCK$|OPENAI_|CODEX_|GEMINI_|GOOGLE_)/;

export interface AgentEnvOptions {
  inherited: NodeJS.ProcessEnv;
  /** Names or NAME_* prefixes to inherit; undefined = inherit everything. */
  allow?: readonly string[];
  simulate?: Record<string, string>;
  extra?: Record<string, string | undefined>;
  tag: string;
}

export function buildAgentEnv(options: AgentEnvOptions): Record<string, string> {
  // The tag goes first: the sweep finds it sooner in /proc/<pid>/environ, whatever follows.
  const env: Record<string, string> = { [AGENT_TAG_VARIABLE]: options.tag };
  for (const [name, value] of Object.entries(options.inherited)) {
    if (value === undefined || NEVER_INHERITED.includes(name)) continue;
    if (options.allow && !isAllowed(name, options.allow)) continue;
    if (options.simulate && SIMULATE_DROPS.test(name)) continue;
    env[name] = value;
  }
  Object.assign(env, options.simulate);
  for (const [name, value] of Object.entries(options.extra ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  // Set again in case --env or a task's env named it: herd's tag wins (and keeps its place).
  env[AGENT_TAG_VARIABLE] = options.tag;
  return env;
}

function isAllowed(name: string, allow: readonly string[]): boolean {
  if (ESSENTIAL.includes(name)) return true;
  return allow.some((pattern) => (pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern));
}
