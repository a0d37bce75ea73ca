// The codex adapter against what the real codex CLI printed (test/fixtures/transcripts/codex/,
// recorded by scripts/record-vendor-transcripts.ts against herd's stand-in): parsing, the
// judgement, and herd's transient/permanent policy applied to each failure.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgress } from '../../src/agents/adapter.js';
import { buildCodexArgs, classifyCodexError, createCodexAdapter, judgeCodex, parseCodexLine } from '../../src/agents/codex.js';
import { readCodexConfigModel, readCodexThreadUsage } from '../../src/agents/codex-home.js';
import type { ProcessExit } from '../../src/process/exit.js';
import { createResult } from '../../src/results.js';
import { isTransientFailure } from '../../src/supervisor/retry-policy.js';
import { fixture, makeTempDir } from '../helpers.js';

function parseTranscript(name: string, progress = createProgress()) {
  const read = (ext: string) => readFileSync(fixture(`transcripts/codex/${name}.${ext}`), 'utf8');
  const signals = read('jsonl')
    .split('\n')
    .flatMap((line) => parseCodexLine(line, progress, '0.171.0'));
  const exit: ProcessExit = { exitCode: Number(read('exit').trim()), stderrTail: read('stderr'), oversizedLines: 0 };
  const outcome = judgeCodex(progress, exit);
  const result = { ...createResult({ id: 'a', workspace: '/w', status: outcome.status, attempts: 1 }), ...(outcome.error ? { error: outcome.error } : {}) };
  return { progress, signals, outcome, transient: isTransientFailure(result, { retryTimeouts: false }) };
}

describe('codex exec --json (recorded transcripts)', () => {
  it('reads the thread id, answer and usage of a success, with the CLI version', () => {
    const { progress, signals, outcome } = parseTranscript('success');
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(progress.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(progress.result).toMatch(/^\[simulated\] /);
    expect(progress.usage?.inputTokens).toBeGreaterThan(1000);
    expect(progress.usage?.outputTokens).toBeGreaterThan(0);
    expect(progress.costUsd).toBeUndefined();
    expect(signals).toContainEqual({ kind: 'session', sessionId: progress.sessionId, agentVersion: '0.171.0' });
  });

  it('takes a resumed turn share of the thread total, which codex reports as a running sum', () => {
    const first = parseTranscript('success').progress.usage!;
    const alone = parseTranscript('resume').progress.usage!;
    const baseline = createProgress();
    baseline.usageBaseline = first;
    const share = parseTranscript('resume', baseline).progress.usage!;
    // The resumed turn reported first + its own tokens; herd keeps only its own.
    expect(alone.inputTokens).toBeGreaterThan(first.inputTokens);
    expect(share.inputTokens).toBe(alone.inputTokens - first.inputTokens);
    expect(share.outputTokens).toBe(alone.outputTokens - first.outputTokens);
  });

  it('reports file writes and commands as tools', () => {
    const { signals, outcome, progress } = parseTranscript('tool-write');
    expect(outcome.status).toBe('succeeded');
    expect(signals).toContainEqual({ kind: 'tool', tool: 'apply_patch' });
    expect(signals).toContainEqual({ kind: 'tool', tool: 'shell' });
    expect(progress.result).toContain('Tool results: apply_patch ok');
  });

  it('turns "Reconnecting..." into a retry signal and still succeeds', () => {
    const { progress, signals, outcome } = parseTranscript('retry-429-then-success');
    expect(outcome.status).toBe('succeeded');
    expect(progress.apiRetries).toBe(1);
    expect(signals).toContainEqual({ kind: 'retry', attempt: 1, status: 429 });
  });

  it.each([
    ['rate-limit-429', 'rate-limit', 429, true],
    ['server-error-500', 'api', 500, true],
    ['unavailable-503', 'api', 503, true],
    ['connection-refused', 'api', undefined, true],
    ['bad-request-400', 'api', 400, false],
    ['auth-401', 'api', 401, false],
  ] as const)('%s: %s (status %s), transient %s', (name, reason, apiStatus, transient) => {
    const parsed = parseTranscript(name);
    expect(parsed.outcome.status).toBe('failed');
    expect(parsed.outcome.error?.reason).toBe(reason);
    expect(parsed.outcome.error?.apiStatus).toBe(apiStatus);
    expect(parsed.transient).toBe(transient);
  });

  it('an unknown thread to resume fails permanently with codex own words', () => {
    const { outcome, transient } = parseTranscript('resume-unknown-session');
    expect(outcome.error?.reason).toBe('exit');
    expect(outcome.error?.message).toContain('no rollout found for thread id');
    expect(transient).toBe(false);
  });

  it('a quota error is not retried', () => {
    expect(classifyCodexError('Quota exceeded. Check your plan and billing details.').reason).toBe('exit');
  });

  it('exit 0 without turn.completed is a protocol failure', () => {
    expect(judgeCodex(createProgress(), { exitCode: 0, stderrTail: '', oversizedLines: 0 }).error?.reason).toBe('protocol');
  });
});

describe('codex argv', () => {
  it('states the sandbox on every turn, puts the prompt after --, and resumes by thread id', () => {
    const task = { id: 'a', prompt: '-starts with a dash', permissionMode: 'acceptEdits' as const, model: 'gpt-5', appendSystemPrompt: 'You are a poet' };
    const args = buildCodexArgs(task, { resumeSessionId: 'thread-1' });
    expect(args.slice(0, 4)).toEqual(['exec', 'resume', '--json', '--skip-git-repo-check']);
    expect(args).toContain('sandbox_mode="workspace-write"');
    expect(args).toContain('developer_instructions="You are a poet"');
    expect(args.slice(-3)).toEqual(['thread-1', '--', '-starts with a dash']);
    expect(buildCodexArgs({ id: 'a', prompt: 'x' }, {})).toContain('sandbox_mode="read-only"');
    expect(buildCodexArgs({ id: 'a', prompt: 'x', permissionMode: 'bypassPermissions' }, {})).toContain('--dangerously-bypass-approvals-and-sandbox');
  });

  it('sends a prompt no argument can carry on stdin', () => {
    const spec = createCodexAdapter('/bin/codex').command({ id: 'a', prompt: 'x\0y' }, {});
    expect(spec.args.at(-1)).toBe('-');
    expect(spec.input).toBeDefined();
  });
});

describe('codex home', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('reads the thread total from the latest token_count of its rollout, and the configured model', () => {
    const sessions = path.join(dir.path, 'sessions', '2026', '12', '01');
    mkdirSync(sessions, { recursive: true });
    const event = (input: number) =>
      JSON.stringify({ type: 'event_msg', payload: { type: 'token_count', info: { total_token_usage: { input_tokens: input, output_tokens: 5 } } } });
    writeFileSync(path.join(sessions, 'rollout-2026-12-01T10-00-00-thread-9.jsonl'), `${event(100)}\n${event(250)}\n{"cut`);
    expect(readCodexThreadUsage(dir.path, 'thread-9')).toEqual({ input_tokens: 250, output_tokens: 5 });
    expect(readCodexThreadUsage(dir.path, 'thread-unknown')).toBeUndefined();
    writeFileSync(path.join(dir.path, 'config.toml'), 'model = "gpt-5.5"\n[profiles.x]\nmodel = "other"\n');
    expect(readCodexConfigModel(dir.path)).toBe('gpt-5.5');
  });
});
