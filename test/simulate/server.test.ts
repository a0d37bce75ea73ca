// Unit-level tests of the simulate server over real HTTP (fetch): wire format, determinism,
// role and turn memory, directives (latency, tools, injected errors, hang), routing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDirectives, stripDirectives } from '../../src/simulate/directives.js';
import { findRole, realUserText } from '../../src/simulate/conversation.js';
import { simulateEnv, startSimulateServer, type SimulateServer } from '../../src/simulate/server.js';
import { cliSystem, cliUser, messagesBody, parseSse, post, streamed } from './helpers.js';

// Parsed JSON whose shape each assertion states; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonObject = Record<string, any>;

let server: SimulateServer;

beforeAll(async () => {
  server = await startSimulateServer({ latencyMs: 0 });
});

afterAll(async () => {
  await server.close();
});

describe('streaming answer', () => {
  it('sends the SSE sequence the CLI expects, echoing the model', async () => {
    const body = messagesBody([cliUser('Explain caching')]);
    const { response, events, text } = await streamed(server.url, body, 'a1');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('message_start');
    expect(names[1]).toBe('content_block_start');
    expect(names.slice(2, -3).every((n) => n === 'content_block_delta')).toBe(true);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const start = events[0]?.data.message as Record<string, unknown>;
    expect(start.model).toBe('claude-test-model');
    expect(start.role).toBe('assistant');
    expect(text).toMatch(/^\[simulated\] \S/);
    expect(text).toContain('(agent a1, turn 1)');
    const delta = events.at(-2)?.data as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    expect(delta.delta.stop_reason).toBe('end_turn');
    expect(delta.usage.output_tokens).toBe(Math.ceil(text.length / 4));
  });

  it('estimates input tokens as chars/4 of system + messages', async () => {
    const body = messagesBody([cliUser('Count me')]);
    const { events } = await streamed(server.url, body, 'a1');
    const usage = (events[0]?.data.message as { usage: { input_tokens: number } }).usage;
    const chars = JSON.stringify(body.system).length + JSON.stringify(body.messages).length;
    expect(usage.input_tokens).toBe(Math.ceil(chars / 4));
  });

  it('answers non-streaming requests with a plain JSON message', async () => {
    const response = await post(`${server.url}/v1/messages`, messagesBody([cliUser('Hi there')], { stream: false }), 'a1');
    expect(response.status).toBe(200);
    const msg = (await response.json()) as JsonObject;
    expect(msg.type).toBe('message');
    expect(msg.model).toBe('claude-test-model');
    expect(msg.stop_reason).toBe('end_turn');
    expect(msg.content[0].text).toMatch(/^\[simulated\]/);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });
});

describe('answer text', () => {
  it('is deterministic and varies by agent and prompt', async () => {
    const body = messagesBody([cliUser('Describe the build pipeline')]);
    const first = (await streamed(server.url, body, 'alpha')).text;
    expect((await streamed(server.url, body, 'alpha')).text).toBe(first);
    const otherAgent = (await streamed(server.url, body, 'beta')).text;
    expect(otherAgent).not.toBe(first);
    const otherPrompt = (await streamed(server.url, messagesBody([cliUser('Describe the test suite')]), 'alpha')).text;
    expect(otherPrompt).not.toBe(first);
  });

  it('answers a haiku request with three short lines', async () => {
    for (const agent of ['poet-1', 'poet-2', 'poet-3', 'poet-4', 'poet-5', 'poet-6']) {
      const { text } = await streamed(server.url, messagesBody([cliUser('Write a haiku about rivers')]), agent);
      const lines = text.split('\n');
      expect(lines.at(-1)).toBe(`(agent ${agent}, turn 1)`);
      const poem = lines.slice(0, -1);
      expect(poem).toHaveLength(3);
      expect(poem[0]).toMatch(/^\[simulated\] .*rivers/);
      poem[0] = poem[0]!.replace('[simulated] ', '');
      for (const line of poem) expect(line.split(' ').length).toBeLessThanOrEqual(7);
    }
  });

  it('reflects the role the user appended to the CLI system prompt', async () => {
    const withRole = messagesBody([cliUser('Write a haiku about rivers')], { system: cliSystem('You are a poet') });
    expect((await streamed(server.url, withRole, 'a1')).text).toContain('as a poet');
    const plain = messagesBody([cliUser('Write a haiku about rivers')]);
    expect((await streamed(server.url, plain, 'a1')).text).not.toContain(', as ');
    const replaced = messagesBody([cliUser('Hi')], { system: 'You are an expert in Go. Be brief.' });
    expect((await streamed(server.url, replaced, 'a1')).text).toContain('as an expert in Go');
  });

  it('remembers the conversation: turn number and the earlier prompt', async () => {
    const messages = [
      cliUser('Write a haiku about rivers [sim:latency 0ms]'),
      { role: 'system', content: 'Available agent types for the Agent tool: ...' },
      { role: 'assistant', content: [{ type: 'text', text: '[simulated] ...' }] },
      { role: 'user', content: [{ type: 'text', text: 'Now one about the sea' }] },
    ];
    const { text } = await streamed(server.url, messagesBody(messages), 'a1');
    expect(text).toContain('(agent a1, turn 2; earlier you asked: "Write a haiku about rivers")');
  });

  it('derives the agent from the working directory when the header is missing', async () => {
    const { text } = await streamed(server.url, messagesBody([cliUser('Hello')]));
    expect(text).toContain('(agent agent-from-cwd, turn 1)');
  });
});

describe('directives', () => {
  it('[sim:latency] delays the answer', async () => {
    const started = Date.now();
    await streamed(server.url, messagesBody([cliUser('Slow please [sim:latency 300ms]')]), 'a1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it('[sim:write] makes a Write tool call, then answers with text after the tool_result', async () => {
    const user = cliUser('Save it [sim:write notes/out.txt]');
    const first = await streamed(server.url, messagesBody([user]), 'w1');
    expect(first.events.map((e) => e.event)).toContain('content_block_delta');
    const tool = first.blocks[0] as { type: string; id: string; name: string; input: unknown };
    expect(tool.type).toBe('tool_use');
    expect(tool.name).toBe('Write');
    expect(tool.input).toEqual({ file_path: 'notes/out.txt', content: 'written by w1\n' });
    const stop = first.events.at(-2)?.data as { delta: { stop_reason: string } };
    expect(stop.delta.stop_reason).toBe('tool_use');

    const followUp = messagesBody([
      user,
      { role: 'assistant', content: [{ type: 'tool_use', id: tool.id, name: 'Write', input: tool.input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: tool.id, content: 'File created successfully' }] },
    ]);
    const second = await streamed(server.url, followUp, 'w1');
    expect(second.blocks[0]?.type).toBe('text');
    expect(second.text).toContain('(agent w1, turn 1)');
    expect(second.text).toContain('Write ok: File created successfully');
  });

  it("answers --json-schema by calling StructuredOutput once with a value of the schema's shape", async () => {
    const schema = {
      type: 'object',
      properties: {
        winner: { type: 'string', enum: ['a', 'b', 'c'] },
        reason: { type: 'string' },
        score: { type: 'integer', minimum: 3 },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['winner', 'reason'],
    };
    const tools = [
      { name: 'Write', input_schema: { type: 'object' } },
      { name: 'StructuredOutput', input_schema: schema },
    ];
    const user = cliUser('Pick one [sim:winner b]');
    const first = await streamed(server.url, messagesBody([user], { tools }), 'j1');
    const tool = first.blocks[0] as { type: string; id: string; name: string; input: Record<string, unknown> };
    expect(tool).toMatchObject({
      type: 'tool_use',
      name: 'StructuredOutput',
      input: { winner: 'b', score: 3, reason: expect.stringContaining('b is the most') },
    });
    expect(tool.input.tags).toEqual([expect.any(String)]);
    // Called once: after its tool_result the model answers with text.
    const followUp = messagesBody(
      [
        user,
        { role: 'assistant', content: [{ type: 'tool_use', id: tool.id, name: 'StructuredOutput', input: tool.input }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: tool.id, content: 'Structured output provided successfully' }] },
      ],
      { tools },
    );
    expect((await streamed(server.url, followUp, 'j1')).blocks[0]?.type).toBe('text');
  });

  it('[sim:bash] makes a Bash tool call with the rest of the marker as the command', async () => {
    const { blocks } = await streamed(server.url, messagesBody([cliUser('[sim:bash ls -la | wc -l] go')]), 'b1');
    expect(blocks[0]).toMatchObject({ type: 'tool_use', name: 'Bash', input: { command: 'ls -la | wc -l' } });
  });

  it('[sim:edit] reads the file, then edits it, with paths made absolute in the working directory', async () => {
    const user = cliUser('Fix it [sim:edit src/a.ts count = 1=>count = 2\\nnext]');
    const first = await streamed(server.url, messagesBody([user]), 'e1');
    const read = first.blocks[0] as { id: string; name: string; input: unknown };
    expect(read).toMatchObject({ type: 'tool_use', name: 'Read', input: { file_path: '/tmp/work/agent-from-cwd/src/a.ts' } });
    const afterRead = messagesBody([
      user,
      { role: 'assistant', content: [{ type: 'tool_use', id: read.id, name: 'Read', input: read.input }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: read.id, content: '1\tcount = 1' }] },
    ]);
    const second = await streamed(server.url, afterRead, 'e1');
    expect(second.blocks[0]).toMatchObject({
      type: 'tool_use',
      name: 'Edit',
      input: { file_path: '/tmp/work/agent-from-cwd/src/a.ts', old_string: 'count = 1', new_string: 'count = 2\nnext' },
    });
  });

  it('[sim:status 429 x2] fails twice with rate_limit_error and retry-after, then succeeds', async () => {
    const before = server.stats.failuresInjected;
    const body = messagesBody([cliUser('Busy? [sim:status 429 x2]')]);
    for (let i = 0; i < 2; i++) {
      const response = await post(`${server.url}/v1/messages?beta=true`, body, 's1');
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    }
    const ok = await streamed(server.url, body, 's1');
    expect(ok.response.status).toBe(200);
    expect(server.stats.failuresInjected - before).toBe(2);
    // Counted per agent: another agent with the same prompt starts from zero.
    expect((await post(`${server.url}/v1/messages`, body, 's2')).status).toBe(429);
  });

  it('[sim:status] uses the error type the CLI expects for each status, every time without x<n>', async () => {
    const cases: Array<[number, string]> = [
      [529, 'overloaded_error'],
      [500, 'api_error'],
      [502, 'api_error'],
      [503, 'api_error'],
      [400, 'invalid_request_error'],
      [401, 'authentication_error'],
      [403, 'permission_error'],
    ];
    for (const [code, type] of cases) {
      const body = messagesBody([cliUser(`Fail [sim:status ${code}]`)]);
      for (let i = 0; i < 2; i++) {
        const response = await post(`${server.url}/v1/messages`, body, 'e1');
        expect(response.status).toBe(code);
        expect(await response.json()).toMatchObject({ type: 'error', error: { type } });
      }
    }
  });

  it('[sim:hang] sends message_start and then nothing until the server closes', async () => {
    const own = await startSimulateServer({ latencyMs: 0 });
    const response = await post(`${own.url}/v1/messages`, messagesBody([cliUser('Wait [sim:hang]')]), 'h1');
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(parseSse(first)[0]?.event).toBe('message_start');
    const next = reader.read().then(
      () => 'data',
      () => 'error',
    );
    const winner = await Promise.race([next, new Promise((r) => setTimeout(() => r('timeout'), 200))]);
    expect(winner).toBe('timeout');
    const closedAt = Date.now();
    await own.close();
    expect(Date.now() - closedAt).toBeLessThan(1000);
    expect(await next).toMatch(/data|error/);
  });

  it('[sim:usage <input> <output>] fixes the tokens every call reports, and onMessage hears each request with its agent', async () => {
    const heard: string[] = [];
    const counting = await startSimulateServer({ latencyMs: 0, onMessage: (agent) => heard.push(agent) });
    try {
      const { events } = await streamed(counting.url, messagesBody([cliUser('Go [sim:usage 12345 67]')]), 'spender');
      expect((events[0]?.data.message as { usage: { input_tokens: number; output_tokens: number } }).usage).toMatchObject({
        input_tokens: 12345,
        output_tokens: 1,
      });
      expect((events.at(-2)?.data as { usage: { output_tokens: number } }).usage.output_tokens).toBe(67);
      await streamed(counting.url, messagesBody([cliUser('Again')]), 'other');
      expect(heard).toEqual(['spender', 'other']);
    } finally {
      await counting.close();
    }
    expect(parseDirectives('[sim:usage 10 2]').usage).toEqual({ inputTokens: 10, outputTokens: 2 });
    expect(parseDirectives('[sim:usage lots]').usage).toBeUndefined();
  });

  it('quotes earlier prompts without their directives', () => {
    expect(stripDirectives('Write a haiku [sim:latency 3s] about rivers [sim:status 429 x1]')).toBe('Write a haiku about rivers');
  });

  it('parses every directive form', () => {
    expect(parseDirectives('[sim:latency 3s]').latencyMs).toBe(3000);
    expect(parseDirectives('[sim:latency 1.5s]').latencyMs).toBe(1500);
    expect(parseDirectives('[sim:latency 500ms]').latencyMs).toBe(500);
    expect(parseDirectives('[sim:status 529 x3]').status).toEqual({ code: 529, times: 3 });
    expect(parseDirectives('[sim:status 500]').status).toEqual({ code: 500 });
    expect(parseDirectives('[sim:hang]').hang).toBe(true);
    expect(parseDirectives('[sim:write a.txt] [sim:bash echo hi]').tools).toEqual([
      { kind: 'write', path: 'a.txt' },
      { kind: 'bash', command: 'echo hi' },
    ]);
    expect(parseDirectives('[sim:write b.txt hello\\nworld] [sim:read c.txt] [sim:edit d.txt a b=>c]').tools).toEqual([
      { kind: 'write', path: 'b.txt', content: 'hello\nworld\n' },
      { kind: 'read', path: 'c.txt' },
      { kind: 'read', path: 'd.txt' },
      { kind: 'edit', path: 'd.txt', oldText: 'a b', newText: 'c' },
    ]);
    // An edit needs a path and a non-empty old text before "=>".
    expect(parseDirectives('[sim:edit d.txt =>c] [sim:edit d.txt] [sim:edit]').tools).toEqual([]);
    expect(parseDirectives('[sim:status 200] [sim:latency soon] [sim:nope x]')).toEqual({ tools: [], hang: false });
  });
});

describe('prompt extraction', () => {
  it('ignores the blocks the CLI injects into user messages', () => {
    expect(
      realUserText([
        { type: 'text', text: '<system-reminder>\ncontext\n</system-reminder>\n' },
        { type: 'tool_result', tool_use_id: 'x', content: 'output' },
        { type: 'text', text: '<command-name>/review</command-name>\n<command-args></command-args>' },
        { type: 'text', text: 'the real question' },
      ]),
    ).toBe('the real question');
    expect(realUserText([{ type: 'tool_result', tool_use_id: 'x', content: 'output' }])).toBe('');
  });

  it('finds the user role but not the CLI self-descriptions', () => {
    const cli = cliSystem()
      .map((b) => b.text)
      .join('\n\n');
    expect(findRole(cli)).toBeUndefined();
    expect(findRole(`${cli}\n\nYou are a pirate. Speak like one.`)).toBe('a pirate');
  });
});

describe('routing', () => {
  it('answers count_tokens', async () => {
    const body = messagesBody([cliUser('How long is this?')]);
    const response = await post(`${server.url}/v1/messages/count_tokens?beta=true`, body);
    expect(response.status).toBe(200);
    const result = (await response.json()) as { input_tokens: number };
    expect(result.input_tokens).toBeGreaterThan(0);
  });

  it('answers 404 with an Anthropic error body for anything else', async () => {
    for (const [method, path] of [
      ['GET', '/v1/messages'],
      ['POST', '/v1/complete'],
      ['GET', '/'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    }
    expect((await fetch(server.url, { method: 'HEAD' })).status).toBe(404);
  });

  it('rejects a malformed body with invalid_request_error', async () => {
    const response = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('counts requests and messages', async () => {
    const own = await startSimulateServer({ latencyMs: 0 });
    await streamed(own.url, messagesBody([cliUser('One')]), 'c1');
    await fetch(`${own.url}/nothing`);
    expect(own.stats).toEqual({ requests: 2, messages: 1, failuresInjected: 0 });
    await own.close();
  });
});

describe('simulateEnv', () => {
  it('points claude at the server with a dummy key and the agent header', () => {
    expect(simulateEnv(server, 'agent-7')).toEqual({
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: 'sk-herd-simulated',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ANTHROPIC_CUSTOM_HEADERS: 'x-herd-agent: agent-7',
    });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });
});
