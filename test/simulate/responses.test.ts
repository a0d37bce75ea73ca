// The stand-in's OpenAI Responses API (what codex speaks) over real HTTP: the event sequence and
// usage codex parses, conversation memory, tool calls for codex's own tools, structured output,
// the role from developer instructions, and injected errors in OpenAI's shape.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulateServer, type SimulateServer } from '../../src/simulate/server.js';
import { parseSse, post } from './helpers.js';

let server: SimulateServer;
beforeAll(async () => {
  server = await startSimulateServer({ latencyMs: 0 });
});
afterAll(async () => {
  await server.close();
});

const text = (value: string) => ({ type: 'input_text', text: value });
const user = (...texts: string[]) => ({ type: 'message', role: 'user', content: texts.map(text) });
const environment = user('<environment_context>\n  <cwd>/tmp/run/agent-from-cwd</cwd>\n</environment_context>');
const developer = (...texts: string[]) => ({ type: 'message', role: 'developer', content: texts.map(text) });
const codexSelf = developer('You are Codex, a coding agent. You are an epistemically curious collaborator.');

async function respond(input: unknown[], extra: Record<string, unknown> = {}, agent = 'c1') {
  const response = await post(`${server.url}/v1/responses`, { model: 'gpt-5.5', stream: true, input, ...extra }, agent);
  return { response, events: parseSse(await response.text()) };
}

describe('POST /v1/responses', () => {
  it('streams created, output item, text deltas and completed with usage', async () => {
    const { response, events } = await respond([codexSelf, environment, user('Write a haiku about rivers')]);
    expect(response.status).toBe(200);
    const names = events.map((event) => event.event);
    expect(names[0]).toBe('response.created');
    expect(names).toContain('response.output_item.added');
    expect(names).toContain('response.output_text.delta');
    expect(names.slice(-2)).toEqual(['response.output_item.done', 'response.completed']);
    const done = events.at(-2)!.data.item as { type: string; content: Array<{ text: string }> };
    expect(done.type).toBe('message');
    expect(done.content[0]!.text).toMatch(/^\[simulated\] /);
    expect(done.content[0]!.text).toContain('(agent c1, turn 1)');
    const deltas = events.filter((event) => event.event === 'response.output_text.delta').map((event) => event.data.delta as string);
    expect(deltas.join('')).toBe(done.content[0]!.text);
    const usage = (events.at(-1)!.data.response as { usage: Record<string, number> }).usage;
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBe(Math.ceil(done.content[0]!.text.length / 4));
  });

  it('remembers the conversation, ignores codex own context, and takes the role from developer instructions', async () => {
    const input = [
      codexSelf,
      developer('You are a poet.', '<skills_instructions>You are a skill runner</skills_instructions>'),
      environment,
      user('Write a haiku about rivers'),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'earlier answer' }] },
      user('Now make it rhyme'),
    ];
    const { events } = await respond(input);
    const answer = (events.at(-2)!.data.item as { content: Array<{ text: string }> }).content[0]!.text;
    expect(answer).toContain('(agent c1, as a poet, turn 2; earlier you asked: "Write a haiku about rivers")');
  });

  it('names the agent by its workspace when no header says', async () => {
    const response = await post(`${server.url}/v1/responses`, { model: 'm', stream: true, input: [environment, user('Hi')] });
    expect(await response.text()).toContain('(agent agent-from-cwd, turn 1)');
  });

  it('[sim:write] is an apply_patch custom tool call, [sim:bash] an exec_command function call, then the answer', async () => {
    const prompt = user('Save [sim:write out.txt] [sim:bash echo hi]');
    const first = await respond([environment, prompt]);
    const patch = first.events.at(-2)!.data.item as Record<string, string>;
    expect(patch).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch' });
    expect(patch.input).toBe('*** Begin Patch\n*** Add File: out.txt\n+written by c1\n*** End Patch');
    const patchDone = { type: 'custom_tool_call_output', call_id: patch.call_id, output: 'Success. Updated the following files:\nA out.txt' };
    const second = await respond([environment, prompt, patch, patchDone]);
    const shell = second.events.at(-2)!.data.item as Record<string, string>;
    expect(shell).toMatchObject({ type: 'function_call', name: 'exec_command' });
    expect(JSON.parse(shell.arguments!)).toEqual({ cmd: 'echo hi', login: false, yield_time_ms: 30_000 });
    const shellDone = { type: 'function_call_output', call_id: shell.call_id, output: 'Process exited with code 0\nOutput:\nhi\n' };
    const third = await respond([environment, prompt, patch, patchDone, shell, shellDone]);
    const answer = (third.events.at(-2)!.data.item as { content: Array<{ text: string }> }).content[0]!.text;
    expect(answer).toContain('Tool results: apply_patch ok: Success. Updated the following files:; exec_command ok: hi');
  });

  it('answers with JSON matching text.format.schema (codex --output-schema)', async () => {
    const schema = { type: 'object', properties: { winner: { type: 'string', enum: ['a', 'b'] }, reason: { type: 'string' } }, required: ['winner', 'reason'] };
    const { events } = await respond([user('Pick [sim:winner b]')], { text: { format: { type: 'json_schema', name: 'out', strict: true, schema } } });
    const answer = (events.at(-2)!.data.item as { content: Array<{ text: string }> }).content[0]!.text;
    expect(JSON.parse(answer)).toMatchObject({ winner: 'b' });
  });

  it('injects errors in OpenAI shape, x<n> times; a 429 says when to retry', async () => {
    const input = [user('Busy [sim:status 429 x1]')];
    const failed = await post(`${server.url}/v1/responses`, { model: 'm', stream: true, input }, 'c9');
    expect(failed.status).toBe(429);
    expect(failed.headers.get('retry-after')).toBe('1');
    expect(((await failed.json()) as { error: { type: string } }).error.type).toBe('rate_limit_exceeded');
    const retried = await post(`${server.url}/v1/responses`, { model: 'm', stream: true, input }, 'c9');
    expect(retried.status).toBe(200);
    const bad = await post(`${server.url}/v1/responses`, { model: 'm', input: [user('x [sim:status 400]')] }, 'c9');
    expect(((await bad.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('answers a request without stream with the whole response object', async () => {
    const response = await post(`${server.url}/v1/responses`, { model: 'm', input: [user('Hi')] }, 'c1');
    const body = (await response.json()) as { status: string; output: Array<{ type: string }>; usage: { total_tokens: number } };
    expect(body.status).toBe('completed');
    expect(body.output[0]!.type).toBe('message');
    expect(body.usage.total_tokens).toBeGreaterThan(0);
  });
});
