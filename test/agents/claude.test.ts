import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/agents/adapter.js';
import type { ProcessExit } from '../../src/process/exit.js';
import { buildClaudeArgs, judgeClaude, parseClaudeLine } from '../../src/agents/claude.js';
import { emptyUsage } from '../../src/results.js';
import { isTransientFailure } from '../../src/supervisor/retry-policy.js';
import { fixture } from '../helpers.js';

/** Feed a recorded transcript through the parser, as the process module would. */
function parseTranscript(name: string) {
  const progress = createProgress();
  const signals = readFileSync(fixture(`transcripts/${name}.jsonl`), 'utf8')
    .split('\n')
    .flatMap((line) => parseClaudeLine(line, progress));
  const exitCode = Number(readFileSync(fixture(`transcripts/${name}.exit`), 'utf8').replace(/\D+/g, ''));
  const exit: ProcessExit = { exitCode, stderrTail: '', oversizedLines: 0 };
  return { progress, signals, outcome: judgeClaude(progress, exit) };
}

describe('claude stream-json parsing (recorded transcripts)', () => {
  it('reads session, answer, cost, usage and turns from a success', () => {
    const { progress, signals, outcome } = parseTranscript('success');
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(progress.sessionId).toBe('21fd2d23-7a92-405e-9d90-c6b4fc16af26');
    expect(progress.result).toBe('stand-in reply 14');
    expect(progress.costUsd).toBe(0.001);
    expect(progress.usage).toEqual({ inputTokens: 100, outputTokens: 20, cacheReadTokens: 0, cacheCreationTokens: 0 });
    expect(progress.numTurns).toBe(1);
    expect(progress.durationApiMs).toBe(45);
    expect(progress.agentVersion).toBe('2.1.197');
    expect(signals.filter((signal) => signal.kind === 'session')).toHaveLength(1);
    expect(signals).toContainEqual({ kind: 'output', type: 'assistant', activity: 'thinking', excerpt: 'stand-in reply 14' });
    // Shared words for live progress: the init line and messages mean the model is at work, the result ends the turn.
    expect(signals.filter((signal) => signal.kind === 'output').map((signal) => [signal.type, signal.activity])).toEqual([
      ['system/init', 'thinking'],
      ['assistant', 'thinking'],
      ['result/success', 'answered'],
    ]);
  });

  it('tells the tokens of every model call as its assistant line arrives (usage signals), and keeps the latest text', () => {
    const { progress, signals } = parseTranscript('tool-write');
    const usage = signals.filter((signal) => signal.kind === 'usage');
    // Two calls: the Write tool call, then the answer; output tokens are claude's placeholder (1), the text is what was written.
    expect(usage).toEqual([
      {
        kind: 'usage',
        messageId: 'msg_15',
        model: 'claude-opus-4-8',
        usage: { inputTokens: 100, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 },
        outputChars: 'Write'.length + JSON.stringify({ file_path: 'notes.txt', content: 'stand-in\n' }).length,
      },
      {
        kind: 'usage',
        messageId: 'msg_16',
        model: 'claude-opus-4-8',
        usage: { inputTokens: 100, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 },
        outputChars: 'stand-in reply 16'.length,
      },
    ]);
    expect(progress.partialText).toBe('stand-in reply 16');
  });

  it('reads structured output (--json-schema) from the result line', () => {
    const { progress, outcome } = parseTranscript('structured-output');
    expect(outcome).toEqual({ status: 'succeeded' });
    expect(progress.structuredOutput).toEqual({ winner: 'solve-2', reason: '[simulated] solve-2 is the most distant of the candidates.' });
    expect(JSON.parse(progress.result!)).toEqual(progress.structuredOutput);
  });

  it('reports tool uses with the file or command they work on', () => {
    const { signals, outcome } = parseTranscript('tool-write');
    expect(outcome.status).toBe('succeeded');
    expect(signals).toContainEqual({ kind: 'tool', tool: 'Write', file: 'notes.txt' });
    const bash = parseClaudeLine(
      JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: `npm test\n${'x'.repeat(500)}` } }] } }),
      createProgress(),
    );
    expect(bash).toContainEqual({ kind: 'tool', tool: 'Bash', command: 'npm test' });
    expect(
      parseClaudeLine(
        JSON.stringify({ type: 'assistant', message: { content: [{ type: 'tool_use', name: 'Bash', input: { command: 'y'.repeat(500) } }] } }),
        createProgress(),
      ),
    ).toContainEqual({ kind: 'tool', tool: 'Bash', command: 'y'.repeat(200) });
  });

  it('turns api_retry lines into retry signals and still succeeds', () => {
    const { progress, signals, outcome } = parseTranscript('retry-429-then-success');
    expect(outcome.status).toBe('succeeded');
    expect(progress.apiRetries).toBe(2);
    expect(signals.filter((signal) => signal.kind === 'retry')).toEqual([
      expect.objectContaining({ kind: 'retry', attempt: 1, status: 429 }),
      expect.objectContaining({ kind: 'retry', attempt: 2, status: 429 }),
    ]);
  });

  it('judges by is_error: an API 500 with subtype "success" is a failure', () => {
    const { outcome } = parseTranscript('api-error-500');
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ reason: 'api', apiStatus: 500 });
    expect(outcome.error?.message).toMatch(/API error 500/);
  });

  it('classifies 400 as an api failure and max turns as an exit with its subtype', () => {
    expect(parseTranscript('bad-request-400').outcome.error).toMatchObject({ reason: 'api', apiStatus: 400 });
    const maxTurns = parseTranscript('error-max-turns').outcome;
    expect(maxTurns.status).toBe('failed');
    expect(maxTurns.error?.message).toMatch(/error_max_turns/);
  });

  it('reports a bad resume id as a failure with its message', () => {
    const { outcome } = parseTranscript('resume-unknown-session');
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.message).toMatch(/error_during_execution/);
  });

  it('tells a missing login apart from other errors: reason auth, never retried, no "reported success"', () => {
    // Recorded from the real claude 2.1.197 with HOME empty and no ANTHROPIC_API_KEY.
    const { outcome } = parseTranscript('not-logged-in');
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toEqual({ reason: 'auth', message: 'claude is not logged in: Not logged in · Please run /login' });
    const result = {
      id: 'a',
      status: 'failed' as const,
      workspace: '/w',
      costUsd: 0,
      usage: emptyUsage(),
      durationMs: 1,
      attempts: 1,
      startedAt: '',
      endedAt: '',
    };
    expect(isTransientFailure({ ...result, error: outcome.error! }, { retryTimeouts: true })).toBe(false);
  });

  it('treats a refused key (HTTP 401) as auth too, keeping the status', () => {
    const progress = createProgress();
    parseClaudeLine('{"type":"result","subtype":"success","is_error":true,"api_error_status":401,"result":"Invalid API key · Please run /login"}', progress);
    expect(judgeClaude(progress, { exitCode: 1, stderrTail: '', oversizedLines: 0 }).error).toMatchObject({ reason: 'auth', apiStatus: 401 });
  });

  it('counts garbage without throwing', () => {
    const progress = createProgress();
    for (const line of ['not json', '{"type":', '\u0000\uFFFD', '[1,2]', 'null', '']) parseClaudeLine(line, progress);
    expect(progress.garbageLines).toBe(5);
    expect(judgeClaude(progress, { exitCode: 0, stderrTail: '', oversizedLines: 0 }).error).toMatchObject({ reason: 'protocol' });
  });

  it('explains a non-zero exit without a result using stderr', () => {
    const outcome = judgeClaude(createProgress(), { exitCode: 3, stderrTail: 'boom\nsegfault here\n', oversizedLines: 0 });
    expect(outcome.error).toEqual({ reason: 'exit', message: 'claude exited with code 3: segfault here' });
  });

  it('lets herd-side reasons win (timeout, idle, cancel, spawn)', () => {
    const progress = createProgress();
    expect(judgeClaude(progress, { killedBecause: 'timeout', signal: 'SIGTERM', stderrTail: '', oversizedLines: 0 }).status).toBe('timeout');
    expect(judgeClaude(progress, { killedBecause: 'idle', stderrTail: '', oversizedLines: 0 }).error?.reason).toBe('idle');
    expect(judgeClaude(progress, { killedBecause: 'cancelled', stderrTail: '', oversizedLines: 0 }).status).toBe('cancelled');
    expect(judgeClaude(progress, { spawnError: 'ENOENT', stderrTail: '', oversizedLines: 0 }).error?.reason).toBe('spawn');
  });
});

describe('claude argv', () => {
  it('puts the prompt last after -- so a leading dash is not an option', () => {
    const args = buildClaudeArgs({ id: 'a', prompt: '-rf $(whoami) `x` "q"' }, {});
    expect(args.slice(0, 4)).toEqual(['-p', '--output-format', 'stream-json', '--verbose']);
    expect(args.slice(-2)).toEqual(['--', '-rf $(whoami) `x` "q"']);
  });

  it('maps every per-agent option to its flag', () => {
    const args = buildClaudeArgs(
      {
        id: 'a',
        prompt: 'p',
        model: 'sonnet',
        systemPrompt: 'You are a poet',
        appendSystemPrompt: 'Be brief',
        allowedTools: ['Read', 'Write'],
        disallowedTools: ['Bash'],
        permissionMode: 'acceptEdits',
        maxTurns: 3,
        maxBudgetUsd: 0.5,
        addDirs: ['/tmp/shared'],
        jsonSchema: { type: 'object', properties: { answer: { type: 'string' } } },
      },
      { resumeSessionId: 'abc' },
    );
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--resume')).toBe('abc');
    expect(flag('--model')).toBe('sonnet');
    expect(flag('--system-prompt')).toBe('You are a poet');
    expect(flag('--append-system-prompt')).toBe('Be brief');
    expect(flag('--allowedTools')).toBe('Read,Write');
    expect(flag('--disallowedTools')).toBe('Bash');
    expect(flag('--permission-mode')).toBe('acceptEdits');
    expect(flag('--max-turns')).toBe('3');
    expect(flag('--max-budget-usd')).toBe('0.5');
    expect(flag('--add-dir')).toBe('/tmp/shared');
    expect(JSON.parse(flag('--json-schema')!)).toEqual({ type: 'object', properties: { answer: { type: 'string' } } });
  });
});
