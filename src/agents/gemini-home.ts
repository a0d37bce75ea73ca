// Gemini CLI's home for one herd agent: GEMINI_CLI_HOME=<agent dir>, so its .gemini/ (settings,
// sessions, projects.json, the global GEMINI.md) is the agent's own. Sharing one would race:
// even `gemini --version` leaves projects.json.*.tmp files behind (measured, 0.61.0).
//
// With --simulate the settings choose API-key auth (required: with only the variables set the
// CLI exits 41) and turn telemetry, usage statistics and auto-update off. Against the real
// service the user's own ~/.gemini (or $GEMINI_CLI_HOME/.gemini) files are copied in: settings
// (herd's additions merged on top), the OAuth login (Google refresh tokens stay valid when a
// copy refreshes its access token), the global GEMINI.md; extensions and commands are linked.

import { access, copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { PrepareOptions } from './adapter.js';

/** Passed with -m under --simulate: the default ("auto") first asks a router model for a JSON verdict. */
export const SIMULATED_GEMINI_MODEL = 'gemini-2.5-flash';

const COPIED_FILES = ['oauth_creds.json', 'google_accounts.json', 'installation_id', 'user_id', '.env'];
const LINKED_DIRS = ['extensions', 'commands'];

/**
 * The CLI's own retries: 10 attempts, backoff from 5 s doubling to 30 s (a 429 storm held an
 * agent 248 s). Against the service 3 attempts (about 15 s of waiting at most); under
 * --simulate none, so an injected fault reaches herd's retry policy at once.
 */
const MAX_ATTEMPTS_REAL = 3;
const MAX_ATTEMPTS_SIMULATED = 1;

export async function prepareGeminiHome(options: PrepareOptions): Promise<Record<string, string>> {
  const { task, dir } = options;
  const config = path.join(dir, '.gemini');
  const tmp = path.join(dir, 'tmp');
  await mkdir(config, { recursive: true, mode: 0o700 });
  await mkdir(tmp, { recursive: true, mode: 0o700 });
  const simulated = options.simulateUrl !== undefined;
  const userConfig = path.join(options.inheritedEnv.GEMINI_CLI_HOME || options.inheritedEnv.HOME || os.homedir(), '.gemini');
  const userSettings = simulated ? {} : await readJson(path.join(userConfig, 'settings.json'));
  if (!simulated) await copyUserFiles(userConfig, config);
  const settings = mergeSettings(userSettings, herdSettings(task.maxTurns, simulated));
  await writeFile(path.join(config, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });

  // The user's own global GEMINI.md (copied above, real runs only) comes first, herd's addition after it.
  if (task.appendSystemPrompt) {
    const existing = simulated ? '' : await readFile(path.join(userConfig, 'GEMINI.md'), 'utf8').catch(() => '');
    await writeFile(path.join(config, 'GEMINI.md'), `${existing ? `${existing.trimEnd()}\n\n` : ''}${task.appendSystemPrompt}\n`, { mode: 0o600 });
  } else if (!simulated) {
    await copyFile(path.join(userConfig, 'GEMINI.md'), path.join(config, 'GEMINI.md')).catch(() => undefined);
  }
  // Failure reports ($TMPDIR/gemini-client-error-*.json) hold the conversation: kept private.
  const env: Record<string, string> = { GEMINI_CLI_HOME: dir, TMPDIR: tmp, GEMINI_CLI_NO_RELAUNCH: 'true' };
  if (task.systemPrompt) {
    const file = path.join(dir, 'system.md');
    await writeFile(file, `${task.systemPrompt}\n`, { mode: 0o600 });
    env.GEMINI_SYSTEM_MD = file;
  }
  if (simulated) {
    Object.assign(env, {
      GEMINI_API_KEY: 'sk-herd-simulated',
      GOOGLE_GEMINI_BASE_URL: options.simulateUrl,
      GEMINI_MODEL: SIMULATED_GEMINI_MODEL,
      // The stand-in tells agents apart by this header ("Name: value"; no newline may reach it).
      GEMINI_CLI_CUSTOM_HEADERS: `x-herd-agent: ${task.id.replace(/[\r\n,]+/g, ' ').trim()}`,
    });
  }
  return env;
}

type Json = Record<string, unknown>;

function herdSettings(maxTurns: number | undefined, simulated: boolean): Json {
  const settings: Json = {
    general: { maxAttempts: simulated ? MAX_ATTEMPTS_SIMULATED : MAX_ATTEMPTS_REAL, enableAutoUpdate: false, enableAutoUpdateNotification: false },
  };
  if (maxTurns !== undefined) settings.model = { maxSessionTurns: maxTurns };
  if (simulated) {
    Object.assign(settings, {
      security: { auth: { selectedType: 'gemini-api-key' } },
      privacy: { usageStatisticsEnabled: false },
      telemetry: { enabled: false },
    });
  }
  return settings;
}

/** herd's values win, object by object; everything else the user set stays. */
export function mergeSettings(base: Json, over: Json): Json {
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeSettings(current, value) : value;
  }
  return merged;
}

async function copyUserFiles(from: string, to: string): Promise<void> {
  for (const name of COPIED_FILES) await copyFile(path.join(from, name), path.join(to, name)).catch(() => undefined);
  for (const name of LINKED_DIRS) {
    const target = path.join(from, name);
    // Linked only when there is something to link (a dangling link would confuse the CLI); kept from an earlier turn otherwise.
    if (
      await access(target).then(
        () => true,
        () => false,
      )
    )
      await symlink(target, path.join(to, name)).catch(() => undefined);
  }
}

async function readJson(file: string): Promise<Json> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return isObject(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
