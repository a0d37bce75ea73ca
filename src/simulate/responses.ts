// Owns the OpenAI Responses API of the stand-in (`POST /v1/responses`, what codex speaks): how
// a request reads as a conversation (codex's own context blocks left out), and the streamed
// answer codex parses (response.created, output_item.added/done, output_text.delta,
// function-call items, response.completed with usage). The answer text is reply.ts's, the
// same as claude gets; `[sim:write]` becomes codex's apply_patch, `[sim:bash]` its exec_command.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { findRole, isRecord, type Conversation, type ToolOutcome } from './conversation.js';
import { parseDirectives, type SimToolCall } from './directives.js';
import { afterDelay, agentOf, failuresSoFar, isInjectedBlock, readJsonBody, sendJson, takeFailure, tokens, type SimState } from './exchange.js';
import { composeReply, composeStructuredOutput } from './reply.js';

interface ResponsesRequest {
  model: string;
  input: Array<Record<string, unknown>>;
  instructions?: string;
  stream: boolean;
  /** text.format.schema when codex was given --output-schema. */
  schema?: Record<string, unknown>;
}

/** One output item: an assistant message, a function call or a freeform (custom) tool call. */
type OutputItem =
  | { type: 'message'; id: string; role: 'assistant'; status: 'completed'; content: Array<{ type: 'output_text'; text: string; annotations: [] }> }
  | { type: 'function_call'; id: string; call_id: string; name: string; arguments: string; status: 'completed' }
  | { type: 'custom_tool_call'; id: string; call_id: string; name: string; input: string; status: 'completed' };

export async function handleResponses(state: SimState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req, (status, message) => sendOpenAiError(res, status, message));
  if (body === undefined) return;
  const request = parseResponsesRequest(body);
  if (typeof request === 'string') return sendOpenAiError(res, 400, request);
  const conversation = readResponsesConversation(request);
  const agent = agentOf(req, conversation.cwd);
  const directives = parseDirectives(conversation.current);
  const failure = takeFailure(state, agent, conversation.current, directives);
  if (failure !== undefined) {
    return sendOpenAiError(res, failure, `[simulated] injected HTTP ${failure} (failure ${failuresSoFar(state, agent, conversation.current)})`);
  }
  state.stats.messages++;
  const n = state.nextId++;
  const item = replyItem(request, agent, conversation, directives.tools, n);
  const response = {
    id: `resp_sim_${n}`,
    model: request.model,
    item,
    inputTokens: tokens(JSON.stringify(request.input) + (request.instructions ?? '')),
    outputTokens: tokens(item.type === 'message' ? item.content[0]!.text : item.type === 'function_call' ? item.arguments : item.input),
  };
  afterDelay(res, directives.latencyMs ?? state.latencyMs, () => {
    if (res.destroyed) return;
    if (directives.hang) return startStream(res, response.id, request.model);
    if (request.stream) writeStream(res, response);
    else sendJson(res, 200, responseJson(response, 'completed'));
  });
}

export function parseResponsesRequest(body: unknown): ResponsesRequest | string {
  if (!isRecord(body)) return 'request body must be a JSON object';
  const { model, input, instructions, stream, text } = body;
  if (typeof model !== 'string' || model === '') return 'model: field required';
  if (!Array.isArray(input)) return 'input: field required';
  const request: ResponsesRequest = { model, input: (input as unknown[]).filter(isRecord), stream: stream === true };
  if (typeof instructions === 'string') request.instructions = instructions;
  const format = isRecord(text) && isRecord(text.format) ? text.format : undefined;
  if (format?.type === 'json_schema' && isRecord(format.schema)) request.schema = format.schema;
  return request;
}

/** Texts of one input message (input_text / output_text parts, or a plain string). */
function messageTexts(item: Record<string, unknown>): string[] {
  const content = item.content;
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) return [];
  return (content as unknown[]).filter(isRecord).flatMap((part) => (typeof part.text === 'string' ? [part.text] : []));
}

/** codex's base instructions introduce codex itself; only the rest (herd's developer_instructions) can give a role. */
const CODEX_SELF = /^You are Codex\b/;
/** Context codex adds to user messages on its own: tagged blocks, and a workspace's AGENTS.md. */
const isCodexContext = (text: string) => isInjectedBlock(text) || /^# AGENTS\.md instructions/.test(text.trim());

export function readResponsesConversation(request: ResponsesRequest): Conversation {
  const prompts: string[] = [];
  let lastPromptIndex = -1;
  let cwd: string | undefined;
  const roleTexts: string[] = request.instructions && !CODEX_SELF.test(request.instructions) ? [request.instructions] : [];
  request.input.forEach((item, index) => {
    if (item.type !== 'message' && item.type !== undefined) return;
    const texts = messageTexts(item);
    if (item.role === 'developer' || item.role === 'system') {
      roleTexts.push(...texts.filter((text) => !CODEX_SELF.test(text) && !isInjectedBlock(text)));
      return;
    }
    if (item.role !== 'user') return;
    for (const text of texts) cwd = /<cwd>([^<]+)<\/cwd>/.exec(text)?.[1]?.trim() ?? cwd;
    const typed = texts
      .filter((text) => !isCodexContext(text))
      .join('\n')
      .trim();
    if (typed === '') return;
    prompts.push(typed);
    lastPromptIndex = index;
  });
  const since = request.input.slice(lastPromptIndex + 1);
  const calls = since.filter((item) => item.type === 'function_call' || item.type === 'custom_tool_call');
  const conversation: Conversation = {
    prompts,
    current: prompts.at(-1) ?? '',
    turn: Math.max(prompts.length, 1),
    toolCallsThisTurn: calls.length,
    structuredOutputGiven: false,
    toolOutcomes: toolOutcomes(calls, since),
  };
  const role = findRole(roleTexts.join('\n\n'));
  if (role !== undefined) conversation.role = role;
  if (cwd) conversation.cwd = cwd;
  return conversation;
}

/** Each call's output, paired by call_id; codex reports a failed command's exit code in the output text. */
function toolOutcomes(calls: Array<Record<string, unknown>>, items: Array<Record<string, unknown>>): ToolOutcome[] {
  const names = new Map(calls.map((call) => [call.call_id, typeof call.name === 'string' ? call.name : 'tool']));
  return items
    .filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    .map((item) => {
      const output = outputText(item.output);
      const failed = /exited with code [1-9]|^error|rejected|failed/im.test(output) && !/exited with code 0\b/.test(output);
      return { name: names.get(item.call_id) ?? 'tool', isError: failed, summary: summaryOf(output) };
    });
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output))
    return (output as unknown[])
      .filter(isRecord)
      .map((part) => (typeof part.text === 'string' ? part.text : ''))
      .join('\n');
  return isRecord(output) ? JSON.stringify(output) : '';
}

/** The command's own output line, not codex's "Chunk ID / Wall time" header lines. */
function summaryOf(output: string): string {
  const afterHeader = /\nOutput:\n([\s\S]*)$/.exec(output)?.[1] ?? output;
  const line = afterHeader.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** The next tool call the directives ask for, else structured output (--output-schema), else the text answer. */
function replyItem(request: ResponsesRequest, agent: string, conversation: Conversation, tools: SimToolCall[], n: number): OutputItem {
  const tool = tools[conversation.toolCallsThisTurn];
  if (tool) return toolItem(tool, agent, n);
  const text = request.schema ? JSON.stringify(composeStructuredOutput(agent, conversation, request.schema)) : composeReply(agent, conversation);
  return { type: 'message', id: `msg_sim_${n}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}

function toolItem(tool: SimToolCall, agent: string, n: number): OutputItem {
  const ids = { id: `fc_sim_${n}`, call_id: `call_sim_${n}`, status: 'completed' as const };
  // codex's file tool takes a patch, freeform (a custom tool, not JSON arguments).
  if (tool.kind === 'write') {
    const lines = (tool.content ?? `written by ${agent}\n`).replace(/\n$/, '').split('\n');
    return patchItem(ids, [`*** Add File: ${tool.path}`, ...lines.map((line) => `+${line}`)]);
  }
  if (tool.kind === 'edit') {
    const removed = tool.oldText.split('\n').map((line) => `-${line}`);
    const added = tool.newText.split('\n').map((line) => `+${line}`);
    return patchItem(ids, [`*** Update File: ${tool.path}`, '@@', ...removed, ...added]);
  }
  const command = tool.kind === 'read' ? `cat -- '${tool.path.replaceAll("'", "'\\''")}'` : tool.command;
  // No login shell (a user's profile may be slow or print noise); wait for the command as long as
  // codex allows (30 s) before it reports "still running" and the turn goes on without it.
  return { type: 'function_call', ...ids, name: 'exec_command', arguments: JSON.stringify({ cmd: command, login: false, yield_time_ms: 30_000 }) };
}

function patchItem(ids: { id: string; call_id: string; status: 'completed' }, body: string[]): OutputItem {
  return { type: 'custom_tool_call', ...ids, name: 'apply_patch', input: ['*** Begin Patch', ...body, '*** End Patch'].join('\n') };
}

interface SimResponse {
  id: string;
  model: string;
  item: OutputItem;
  inputTokens: number;
  outputTokens: number;
}

function responseJson(response: SimResponse, status: 'in_progress' | 'completed'): Record<string, unknown> {
  const base: Record<string, unknown> = { id: response.id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, model: response.model };
  if (status === 'in_progress') return { ...base, output: [] };
  return {
    ...base,
    output: [response.item],
    usage: {
      input_tokens: response.inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: response.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: response.inputTokens + response.outputTokens,
    },
  };
}

function sendEvent(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

function startStream(res: ServerResponse, id: string, model: string): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_${id}` });
  sendEvent(res, 'response.created', { response: { id, object: 'response', status: 'in_progress', model, output: [] } });
}

/** The event sequence of one streamed response; codex needs created, output_item.done and completed (deltas show progress). */
function writeStream(res: ServerResponse, response: SimResponse): void {
  startStream(res, response.id, response.model);
  sendEvent(res, 'response.in_progress', { response: responseJson(response, 'in_progress') });
  const { item } = response;
  const itemId = item.id;
  if (item.type === 'message') {
    sendEvent(res, 'response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    sendEvent(res, 'response.content_part.added', {
      output_index: 0,
      item_id: itemId,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    });
    const text = item.content[0]!.text;
    for (const piece of chunks(text, 24)) sendEvent(res, 'response.output_text.delta', { output_index: 0, item_id: itemId, content_index: 0, delta: piece });
    sendEvent(res, 'response.output_text.done', { output_index: 0, item_id: itemId, content_index: 0, text });
    sendEvent(res, 'response.content_part.done', { output_index: 0, item_id: itemId, content_index: 0, part: item.content[0] });
  } else if (item.type === 'function_call') {
    sendEvent(res, 'response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
    for (const piece of chunks(item.arguments, 32))
      sendEvent(res, 'response.function_call_arguments.delta', { output_index: 0, item_id: itemId, delta: piece });
    sendEvent(res, 'response.function_call_arguments.done', { output_index: 0, item_id: itemId, arguments: item.arguments });
  } else {
    sendEvent(res, 'response.output_item.added', { output_index: 0, item: { ...item, input: '', status: 'in_progress' } });
    sendEvent(res, 'response.custom_tool_call_input.delta', { output_index: 0, item_id: itemId, delta: item.input });
    sendEvent(res, 'response.custom_tool_call_input.done', { output_index: 0, item_id: itemId, input: item.input });
  }
  sendEvent(res, 'response.output_item.done', { output_index: 0, item });
  sendEvent(res, 'response.completed', { response: responseJson(response, 'completed') });
  res.end();
}

function chunks(text: string, size: number): string[] {
  const chars = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}

/** OpenAI's error body and type for a status; a 429 says when to retry (codex waits exactly that long). */
export function sendOpenAiError(res: ServerResponse, status: number, message: string): void {
  const type = status === 429 ? 'rate_limit_exceeded' : status === 401 ? 'invalid_api_key' : status >= 500 ? 'server_error' : 'invalid_request_error';
  const headers: Record<string, string> = status === 429 ? { 'retry-after': '1' } : {};
  sendJson(res, status, { error: { message, type, param: null, code: status === 429 ? 'rate_limit_exceeded' : null } }, headers);
}
