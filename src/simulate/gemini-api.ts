// Owns Gemini's generateContent API of the stand-in (what the gemini CLI speaks with
// GOOGLE_GEMINI_BASE_URL): `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` and
// `:generateContent`, how a request reads as a conversation (the CLI's <session_context> left
// out), and the answer in Gemini's shape (candidates, parts, usageMetadata), streamed as SSE
// `data:` chunks. `[sim:write]` becomes the CLI's write_file, `[sim:bash]` run_shell_command;
// a request for JSON (responseJsonSchema) gets a value shaped by its schema.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { findRole, isRecord, type Conversation, type ToolOutcome } from './conversation.js';
import { parseDirectives, type SimToolCall } from './directives.js';
import { afterDelay, agentOf, failuresSoFar, isInjectedBlock, readJsonBody, sendJson, takeFailure, tokens, type SimState } from './exchange.js';
import { composeReply, composeStructuredOutput } from './reply.js';

/** `/v1beta/models/<model>:<method>` (the CLI uses v1beta; v1 is accepted too). */
export const GEMINI_ROUTE = /^\/v1(?:beta|alpha)?\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

type Part = Record<string, unknown>;
interface Content {
  role: string;
  parts: Part[];
}

interface GeminiRequest {
  contents: Content[];
  systemText: string;
  schema?: Record<string, unknown>;
}

export async function handleGemini(state: SimState, req: IncomingMessage, res: ServerResponse, model: string, method: string): Promise<void> {
  const body = await readJsonBody(req, (status, message) => sendGoogleError(res, status, message));
  if (body === undefined) return;
  const request = parseGeminiRequest(body);
  if (typeof request === 'string') return sendGoogleError(res, 400, request);
  const inputTokens = tokens(JSON.stringify(request.contents) + request.systemText);
  if (method === 'countTokens') return sendJson(res, 200, { totalTokens: inputTokens });
  const conversation = readGeminiConversation(request);
  const agent = agentOf(req, conversation.cwd);
  const directives = parseDirectives(conversation.current);
  const failure = takeFailure(state, agent, conversation.current, directives);
  if (failure !== undefined) {
    return sendGoogleError(res, failure, `[simulated] injected HTTP ${failure} (failure ${failuresSoFar(state, agent, conversation.current)})`);
  }
  state.stats.messages++;
  const part = replyPart(request, agent, conversation, directives.tools);
  const answer: SimAnswer = {
    model,
    part,
    inputTokens,
    outputTokens: tokens(typeof part.text === 'string' ? part.text : JSON.stringify(part)),
    id: state.nextId++,
  };
  const streaming = method === 'streamGenerateContent';
  afterDelay(res, directives.latencyMs ?? state.latencyMs, () => {
    if (res.destroyed) return;
    if (directives.hang) return startStream(res);
    if (streaming) writeStream(res, answer);
    else sendJson(res, 200, chunkJson(answer, [part], true));
  });
}

export function parseGeminiRequest(body: unknown): GeminiRequest | string {
  if (!isRecord(body)) return 'request body must be a JSON object';
  if (!Array.isArray(body.contents)) return 'contents: field required';
  const contents = (body.contents as unknown[]).filter(isRecord).map((content) => ({
    role: typeof content.role === 'string' ? content.role : 'user',
    parts: Array.isArray(content.parts) ? (content.parts as unknown[]).filter(isRecord) : [],
  }));
  const request: GeminiRequest = { contents, systemText: systemText(body.systemInstruction) };
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  const schema = config.responseJsonSchema ?? config.responseSchema;
  if (isRecord(schema)) request.schema = schema;
  return request;
}

function systemText(instruction: unknown): string {
  if (typeof instruction === 'string') return instruction;
  if (!isRecord(instruction) || !Array.isArray(instruction.parts)) return '';
  return (instruction.parts as unknown[])
    .filter(isRecord)
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .join('\n');
}

/** The CLI's own system prompt describes the CLI; a replaced one (GEMINI_SYSTEM_MD) and the loaded GEMINI.md can give a role. */
const GEMINI_SELF = /^You are (?:a|an) (?:non-)?interactive CLI agent/;

export function readGeminiConversation(request: GeminiRequest): Conversation {
  const prompts: string[] = [];
  let lastPromptIndex = -1;
  let cwd: string | undefined;
  request.contents.forEach((content, index) => {
    if (content.role !== 'user') return;
    const texts = content.parts.flatMap((part) => (typeof part.text === 'string' ? [part.text] : []));
    for (const text of texts) cwd = /Workspace Directories:\*\*\s*\n\s*-\s*(\S[^\n]*)/.exec(text)?.[1]?.trim() ?? cwd;
    const typed = texts
      .filter((text) => !isInjectedBlock(text))
      .join('\n')
      .trim();
    if (typed === '') return;
    prompts.push(typed);
    lastPromptIndex = index;
  });
  const since = request.contents.slice(lastPromptIndex + 1);
  const calls = since.filter((content) => content.role === 'model').flatMap((content) => content.parts.filter((part) => isRecord(part.functionCall)));
  const conversation: Conversation = {
    prompts,
    current: prompts.at(-1) ?? '',
    turn: Math.max(prompts.length, 1),
    toolCallsThisTurn: calls.length,
    structuredOutputGiven: false,
    toolOutcomes: toolOutcomes(since),
  };
  const system = request.systemText;
  const roleText = GEMINI_SELF.test(system) ? (/<loaded_context>([\s\S]*)<\/loaded_context>/.exec(system)?.[1] ?? '') : system;
  const role = findRole(roleText);
  if (role !== undefined) conversation.role = role;
  if (cwd) conversation.cwd = cwd;
  return conversation;
}

/** Each functionResponse: its tool, whether it reports an error, and its first output line. */
function toolOutcomes(contents: Content[]): ToolOutcome[] {
  return contents
    .filter((content) => content.role === 'user')
    .flatMap((content) => content.parts.map((part) => part.functionResponse).filter(isRecord))
    .map((response) => {
      const body = isRecord(response.response) ? response.response : {};
      const error = typeof body.error === 'string' ? body.error : undefined;
      const output = typeof body.output === 'string' ? body.output.replace(/<\/?untrusted_context>/g, '').replace(/^\s*Output:\s*/, '') : '';
      const line = (error ?? output).trim().split('\n')[0] ?? '';
      return {
        name: typeof response.name === 'string' ? response.name : 'tool',
        isError: error !== undefined,
        summary: line.length > 80 ? `${line.slice(0, 77)}...` : line,
      };
    });
}

function replyPart(request: GeminiRequest, agent: string, conversation: Conversation, tools: SimToolCall[]): Part {
  const tool = tools[conversation.toolCallsThisTurn];
  if (tool) return { functionCall: toolCall(tool, agent) };
  if (request.schema) return { text: JSON.stringify(composeStructuredOutput(agent, conversation, request.schema)) };
  return { text: composeReply(agent, conversation) };
}

function toolCall(tool: SimToolCall, agent: string): { name: string; args: Record<string, unknown> } {
  switch (tool.kind) {
    case 'write':
      return { name: 'write_file', args: { file_path: tool.path, content: tool.content ?? `written by ${agent}\n` } };
    case 'read':
      return { name: 'read_file', args: { file_path: tool.path } };
    case 'edit':
      return { name: 'replace', args: { file_path: tool.path, old_string: tool.oldText, new_string: tool.newText } };
    case 'bash':
      return { name: 'run_shell_command', args: { command: tool.command, description: `simulated: ${tool.command}` } };
  }
}

interface SimAnswer {
  model: string;
  part: Part;
  inputTokens: number;
  outputTokens: number;
  id: number;
}

function chunkJson(answer: SimAnswer, parts: Part[], last: boolean): Record<string, unknown> {
  const candidate: Record<string, unknown> = { content: { role: 'model', parts }, index: 0 };
  const chunk: Record<string, unknown> = { candidates: [candidate], modelVersion: answer.model, responseId: `sim-${answer.id}` };
  if (last) {
    candidate.finishReason = 'STOP';
    chunk.usageMetadata = {
      promptTokenCount: answer.inputTokens,
      candidatesTokenCount: answer.outputTokens,
      totalTokenCount: answer.inputTokens + answer.outputTokens,
    };
  }
  return chunk;
}

function startStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
}

/** Text arrives in several chunks like a real stream; the last one carries finishReason and usage. */
function writeStream(res: ServerResponse, answer: SimAnswer): void {
  startStream(res);
  const text = typeof answer.part.text === 'string' ? answer.part.text : undefined;
  const pieces = text === undefined ? [answer.part] : chunks(text, 48).map((piece) => ({ text: piece }));
  pieces.forEach((piece, index) => res.write(`data: ${JSON.stringify(chunkJson(answer, [piece], index === pieces.length - 1))}\r\n\r\n`));
  res.end();
}

function chunks(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Google's error body; a 429 carries RetryInfo as the real API does. */
export function sendGoogleError(res: ServerResponse, status: number, message: string): void {
  const error: Record<string, unknown> = { code: status, message, status: GOOGLE_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') };
  if (status === 429) error.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }];
  sendJson(res, status, { error });
}
