// Codex's configuration home (CODEX_HOME) for one herd agent, and what herd reads back from it.
//
// With --simulate every agent gets its own CODEX_HOME in the run (sessions, sqlite state and
// config never shared), whose config.toml sends every request to the stand-in server: codex
// ignores OPENAI_BASE_URL, a custom model provider is the one way (measured, 0.171.0).
// Against the real service the agent keeps the user's own CODEX_HOME (default ~/.codex): its
// auth.json holds a ChatGPT login whose refresh token is single-use, so a copy refreshed by
// one agent would log the user (and every other copy) out; codex is built to run several
// processes on one home (sessions are files per thread).

import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrepareOptions } from './adapter.js';

/** The provider id herd's config.toml defines for the stand-in (built-in ids cannot be overridden). */
export const SIMULATED_PROVIDER = 'herd-simulate';
/** A bundled model name: an unknown one adds a "model metadata not found" error item to every turn. */
export const SIMULATED_CODEX_MODEL = 'gpt-5.5';
const SIMULATED_KEY_VARIABLE = 'HERD_SIMULATE_API_KEY';

export async function prepareCodexHome(options: PrepareOptions): Promise<Record<string, string>> {
  if (options.simulateUrl === undefined) return {};
  const home = options.dir;
  // codex's bwrap sandbox refuses a CODEX_HOME under $TMPDIR (its helper binaries live there):
  // the agent's temp dir goes inside its home instead, which also keeps temp files private.
  const tmp = path.join(home, 'tmp');
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  await writeFile(path.join(home, 'config.toml'), simulatedConfig(options.simulateUrl), { mode: 0o600 });
  return { CODEX_HOME: home, TMPDIR: tmp, [SIMULATED_KEY_VARIABLE]: 'sk-herd-simulated' };
}

/**
 * One custom provider pointing at the stand-in. Its own retries are kept to one per request so an
 * injected fault reaches herd's retry policy in about a second (the defaults retry 4-5 times).
 * Plugin sync and analytics would reach out to the internet at start-up: off.
 */
function simulatedConfig(url: string): string {
  return [
    `model = "${SIMULATED_CODEX_MODEL}"`,
    `model_provider = "${SIMULATED_PROVIDER}"`,
    '',
    `[model_providers.${SIMULATED_PROVIDER}]`,
    'name = "herd --simulate"',
    `base_url = ${JSON.stringify(`${url}/v1`)}`,
    `env_key = "${SIMULATED_KEY_VARIABLE}"`,
    'wire_api = "responses"',
    'request_max_retries = 1',
    'stream_max_retries = 1',
    // The stand-in tells agents apart by this header; herd sets HERD_AGENT_ID for every agent.
    'env_http_headers = { "x-herd-agent" = "HERD_AGENT_ID" }',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[features]',
    'plugins = false',
    '',
  ].join('\n');
}

/** The CODEX_HOME an agent with this environment uses. */
export function codexHomeOf(env: Readonly<Record<string, string | undefined>>): string {
  return env.CODEX_HOME || path.join(env.HOME || os.homedir(), '.codex');
}

/** The model a CODEX_HOME's config.toml chooses (its top-level `model = "..."`), for pricing: codex's stream never names it. */
export function readCodexConfigModel(codexHome: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(codexHome, 'config.toml'), 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (/^\s*\[/.test(line)) break; // the top-level keys end where the first table starts
    const match = /^\s*model\s*=\s*"([^"]+)"/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/**
 * The thread's running token totals as codex last recorded them (the latest token_count event of
 * its rollout file, sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl), or undefined.
 */
export function readCodexThreadUsage(codexHome: string, threadId: string): Record<string, unknown> | undefined {
  const file = findRollout(path.join(codexHome, 'sessions'), threadId);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = lines[index]!;
    if (!line.includes('"token_count"')) continue;
    try {
      const event = JSON.parse(line) as { payload?: { info?: { total_token_usage?: unknown } } };
      const total = event.payload?.info?.total_token_usage;
      if (typeof total === 'object' && total !== null) return total as Record<string, unknown>;
    } catch {
      // A line cut short by a killed process: look further back.
    }
  }
  return undefined;
}

/** Newest date directories first: a thread being resumed is usually recent. */
function findRollout(sessions: string, threadId: string): string | undefined {
  const suffix = `-${threadId}.jsonl`;
  for (const year of listDesc(sessions)) {
    for (const month of listDesc(path.join(sessions, year))) {
      for (const day of listDesc(path.join(sessions, year, month))) {
        const dir = path.join(sessions, year, month, day);
        const found = listDesc(dir).find((name) => name.endsWith(suffix));
        if (found) return path.join(dir, found);
      }
    }
  }
  return undefined;
}

function listDesc(dir: string): string[] {
  try {
    return readdirSync(dir).sort().reverse();
  } catch {
    return [];
  }
}
