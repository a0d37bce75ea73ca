// The stand-in's Gemini API (what the gemini CLI speaks) over real HTTP: streamed chunks with
// usage on the last, conversation memory past the CLI's session context, the role from a
// replaced system prompt or GEMINI.md, tool calls for gemini's tools, JSON for a schema, errors.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulateServer, type SimulateServer } from '../../src/simulate/server.js';
import { post } from './helpers.js';

let server: SimulateServer;
beforeAll(async () => {
  server = await startSimulateServer({ latencyMs: 0 });
});
afterAll(async () => {
  await server.close();
});

const sessionContext = '<session_context>\nThis is the Gemini CLI.\n- **Workspace Directories:**\n  - /tmp/run/agent-from-cwd\n</session_context>';
const user = (...texts: string[]) => ({ role: 'user', parts: texts.map((text) => ({ text })) });
const system = (text: string) => ({ parts: [{ text }] });
const SELF = 'You are a non-interactive CLI agent specializing in software engineering tasks.';

type Chunk = { candidates: Array<{ content: { parts: Array<Record<string, unknown>> }; finishReason?: string }>; usageMetadata?: Record<string, number> };

async function stream(contents: unknown[], extra: Record<string, unknown> = {}, agent = 'g1') {
  const response = await post(
    `${server.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
    { contents, systemInstruction: system(SELF), ...extra },
    agent,
  );
  const body = await response.text();
  const chunks = body
    .split('\r\n\r\n')
    .filter((part) => part.startsWith('data: '))
    .map((part) => JSON.parse(part.slice(6)) as Chunk);
  const parts = chunks.flatMap((chunk) => chunk.candidates[0]!.content.parts);
  return { response, chunks, parts, text: parts.map((part) => (typeof part.text === 'string' ? part.text : '')).join('') };
}

describe('POST /v1beta/models/<m>:streamGenerateContent', () => {
  it('streams text in chunks; the last has finishReason and usage', async () => {
    const { response, chunks, text } = await stream([user(sessionContext, 'Write a haiku about rivers')]);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    expect(chunks.at(-1)!.usageMetadata!.candidatesTokenCount).toBe(Math.ceil(text.length / 4));
    expect(text).toMatch(/^\[simulated\] /);
    expect(text).toContain('(agent g1, turn 1)');
  });

  it('remembers the earlier turn; the role comes from GEMINI.md context, not the CLI self-description', async () => {
    const contents = [user(sessionContext, 'Write a haiku about rivers'), { role: 'model', parts: [{ text: 'earlier' }] }, user('Now make it rhyme')];
    const loaded = `${SELF}\n<loaded_context>\n--- Context from: GEMINI.md ---\nYou are a historian.\n</loaded_context>`;
    const { text } = await stream(contents, { systemInstruction: system(loaded) });
    expect(text).toContain('(agent g1, as a historian, turn 2; earlier you asked: "Write a haiku about rivers")');
    const replaced = await stream([user('Hi')], { systemInstruction: system('You are a chef.') });
    expect(replaced.text).toContain('as a chef');
  });

  it('names the agent by its workspace directory without a header', async () => {
    const response = await post(`${server.url}/v1beta/models/m:streamGenerateContent?alt=sse`, { contents: [user(sessionContext, 'Hi')] });
    expect(await response.text()).toContain('(agent agent-from-cwd, turn 1)');
  });

  it('[sim:write] calls write_file, [sim:bash] run_shell_command, then the answer reports both', async () => {
    const prompt = user(sessionContext, 'Save [sim:write out.txt] [sim:bash echo hi]');
    const first = await stream([prompt]);
    expect(first.parts[0]!.functionCall).toEqual({ name: 'write_file', args: { file_path: 'out.txt', content: 'written by g1\n' } });
    const wrote = { role: 'model', parts: first.parts };
    const wroteResult = { role: 'user', parts: [{ functionResponse: { name: 'write_file', response: { output: 'Successfully created out.txt' } } }] };
    const second = await stream([prompt, wrote, wroteResult]);
    expect(second.parts[0]!.functionCall).toMatchObject({ name: 'run_shell_command', args: { command: 'echo hi' } });
    const ran = { role: 'model', parts: second.parts };
    const ranResult = { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: 'Output: hi' } } }] };
    const third = await stream([prompt, wrote, wroteResult, ran, ranResult]);
    expect(third.text).toContain('Tool results: write_file ok: Successfully created out.txt; run_shell_command ok: hi');
  });

  it('answers generateContent with JSON when the request carries a response schema', async () => {
    const schema = { type: 'object', properties: { next_speaker: { type: 'string', enum: ['user', 'model'] } } };
    const response = await post(
      `${server.url}/v1beta/models/m:generateContent`,
      { contents: [user('Who speaks next?')], generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } },
      'g1',
    );
    const body = (await response.json()) as Chunk;
    expect(JSON.parse(body.candidates[0]!.content.parts[0]!.text as string)).toHaveProperty('next_speaker');
  });

  it('injects errors in Google shape; a 429 carries RetryInfo', async () => {
    const response = await post(`${server.url}/v1beta/models/m:streamGenerateContent?alt=sse`, { contents: [user('Busy [sim:status 429]')] }, 'g2');
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: { code: number; status: string; details: Array<Record<string, string>> } };
    expect(body.error).toMatchObject({ code: 429, status: 'RESOURCE_EXHAUSTED' });
    expect(body.error.details[0]!['@type']).toContain('RetryInfo');
  });
});
