// The gemini adapter against what the real gemini CLI printed (test/fixtures/transcripts/gemini/,
// recorded by scripts/record-vendor-transcripts.ts against herd's stand-in): parsing, the
// judgement (result line and exit code), and herd's transient/permanent policy for each failure.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/agents/adapter.js';
import { buildGeminiArgs, judgeGemini, parseGeminiLine } from '../../src/agents/gemini.js';
import { mergeSettings, prepareGeminiHome } from '../../src/agents/gemini-home.js';
import type { ProcessExit } from '../../src/process/exit.js';
import { createResult } from '../../src/results.js';
import { isTransientFailure } from '../../src/supervisor/retry-policy.js';
import { fixture, makeTempDir } from '../helpers.js';

function parseTranscript(name: string) {
  const read = (ext: string) => readFileSync(fixture(`transcripts/gemini/${name}.${ext}`), 'utf8');
  const progress = createProgress();
  const signals = read('jsonl')
    .split('\n')
    .flatMap((line) => parseGeminiLine(line, progress, '0.61.0'));
  const exit: ProcessExit = { exitCode: Number(read('exit').trim()), stderrTail: read('stderr').slice(-4096), oversizedLines: 0 };
  const outcome = judgeGemini(progress, exit);
  const result = { ...createResult({ id: 'a', workspace: '/w', status: outcome.status, attempts: 1 }), ...(outcome.error ? { error: outcome.error } : {}) };
  return { progress, signals, outcome, transient: isTransientFailure(result, { retryTimeouts: false }) };
}

describe('gemini -o stream-json (recorded transcripts)', () => {
  it('reads the session, model, streamed answer and usage of a success', () => {
    const { progress, signals, outcome } = parseTranscript('success');
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(progress.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(progress.model).toBe('gemini-2.5-flash');
    expect(progress.result).toMatch(/^\[simulated\] /);
    expect(progress.usage?.inputTokens).toBeGreaterThan(1000);
    expect(progress.costUsd).toBeUndefined();
    expect(signals).toContainEqual({ kind: 'session', sessionId: progress.sessionId, model: 'gemini-2.5-flash', agentVersion: '0.61.0' });
  });

  it('a resumed session keeps its id, and the answer remembers the first turn', () => {
    const first = parseTranscript('success').progress;
    const { progress } = parseTranscript('resume');
    expect(progress.sessionId).toBe(first.sessionId);
    expect(progress.result).toContain('turn 2; earlier you asked: "Write a haiku about rivers"');
  });

  it('reports tools, and the answer is the text after the last tool call', () => {
    const { signals, outcome, progress } = parseTranscript('tool-write');
    expect(outcome.status).toBe('succeeded');
    expect(signals).toContainEqual({ kind: 'tool', tool: 'write_file' });
    expect(signals).toContainEqual({ kind: 'tool', tool: 'run_shell_command' });
    expect(progress.result).toMatch(/^\[simulated\] /);
  });

  it.each([
    ['rate-limit-429', 'rate-limit', 429, true],
    ['server-error-500', 'api', 500, true],
    ['unavailable-503', 'api', 503, true],
    ['connection-refused', 'api', undefined, true],
    ['bad-request-400', 'api', 400, false],
    ['auth-401', 'api', 401, false],
    ['max-turns', 'exit', undefined, false],
    ['resume-unknown-session', 'exit', undefined, false],
  ] as const)('%s: %s (status %s), transient %s', (name, reason, apiStatus, transient) => {
    const parsed = parseTranscript(name);
    expect(parsed.outcome.status).toBe('failed');
    expect(parsed.outcome.error?.reason).toBe(reason);
    expect(parsed.outcome.error?.apiStatus).toBe(apiStatus);
    expect(parsed.transient).toBe(transient);
  });

  it('says what a fatal exit means', () => {
    expect(parseTranscript('max-turns').outcome.error?.message).toMatch(/turn limit/);
    expect(parseTranscript('resume-unknown-session').outcome.error?.message).toMatch(/unknown session/);
  });
});

describe('gemini argv', () => {
  it('carries a prompt starting with "-" in one --prompt= argument and maps permission modes', () => {
    const args = buildGeminiArgs({ id: 'a', prompt: '--hi', permissionMode: 'acceptEdits', model: 'gemini-2.5-pro' }, { resumeSessionId: 's-1' });
    expect(args[0]).toBe('--prompt=--hi');
    expect(args).toEqual(expect.arrayContaining(['--output-format', 'stream-json', '--skip-trust', '--resume', 's-1', '--model', 'gemini-2.5-pro']));
    expect(args[args.indexOf('--approval-mode') + 1]).toBe('auto_edit');
    const yolo = buildGeminiArgs({ id: 'a', prompt: 'x', permissionMode: 'bypassPermissions' }, {});
    expect(yolo[yolo.indexOf('--approval-mode') + 1]).toBe('yolo');
  });
});

describe('gemini home', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('under --simulate: API-key auth, no telemetry, bounded retries, the stand-in URL and the agent header', async () => {
    const env = await prepareGeminiHome({
      task: { id: 'a1', prompt: 'x', maxTurns: 3, systemPrompt: 'You are a chef' },
      dir: dir.path,
      simulateUrl: 'http://127.0.0.1:9',
      inheritedEnv: {},
    });
    expect(env).toMatchObject({ GEMINI_CLI_HOME: dir.path, GOOGLE_GEMINI_BASE_URL: 'http://127.0.0.1:9', GEMINI_CLI_CUSTOM_HEADERS: 'x-herd-agent: a1' });
    const settings = JSON.parse(await readFile(path.join(dir.path, '.gemini', 'settings.json'), 'utf8'));
    expect(settings).toMatchObject({ security: { auth: { selectedType: 'gemini-api-key' } }, general: { maxAttempts: 1 }, model: { maxSessionTurns: 3 } });
    expect(await readFile(env.GEMINI_SYSTEM_MD!, 'utf8')).toBe('You are a chef\n');
  });

  it("keeps the user's own settings and adds herd's on top", () => {
    expect(mergeSettings({ ui: { theme: 'x' }, general: { vimMode: true } }, { general: { maxAttempts: 3 } })).toEqual({
      ui: { theme: 'x' },
      general: { vimMode: true, maxAttempts: 3 },
    });
  });
});
