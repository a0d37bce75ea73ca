// Owns herd's built-in stand-in for the Anthropic Messages API (`herd --simulate`): a
// node:http server that answers `POST /v1/messages` (streamed or not) and
// `/v1/messages/count_tokens` with deterministic simulated answers, applies the `[sim:...]`
// prompt directives (latency, tool calls, injected errors, hangs), and the env that points a
// real `claude` CLI at it. Answer text lives in reply.ts, wire format in sse.ts. The same
// server also speaks OpenAI's Responses API (responses.ts, for codex) and Gemini's
// generateContent (gemini-api.ts), routed here; what they share is in exchange.ts.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isAbsolute, join } from 'node:path';
import {
  estimateInputTokens,
  parseMessagesRequest,
  readConversation,
  STRUCTURED_OUTPUT_TOOL,
  type Conversation,
  type MessagesRequest,
} from './conversation.js';
import { parseDirectives, type Directives, type SimToolCall } from './directives.js';
import { sendError } from './errors.js';
import { afterDelay, agentOf, AGENT_HEADER, failuresSoFar, readJsonBody, sendJson, takeFailure, tokens, type SimState } from './exchange.js';
import { GEMINI_ROUTE, handleGemini } from './gemini-api.js';
import { handleResponses } from './responses.js';
import { composeReply, composeStructuredOutput } from './reply.js';
import { messageJson, startStream, writeStream, type ReplyBlock, type ReplyMessage } from './sse.js';

export interface SimulateOptions {
  /** Delay before each answer starts streaming (default 2000); `[sim:latency …]` overrides it. */
  latencyMs?: number;
  /** Default 127.0.0.1 (loopback only: the server has no authentication). */
  host?: string;
  /** Default 0 = a random free port. */
  port?: number;
  /** Called for every /v1/messages request, with the agent that sent it (tests count requests per agent). */
  onMessage?: (agent: string) => void;
}

export interface SimulateServer {
  readonly url: string;
  readonly port: number;
  /**
   * requests: every HTTP request received; messages: /v1/messages requests answered with a
   * message (including hanging ones); failuresInjected: answers failed by `[sim:status …]`.
   */
  readonly stats: { requests: number; messages: number; failuresInjected: number };
  /** Closes the server and destroys open sockets (hanging streams too), so it never hangs. */
  close(): Promise<void>;
  /**
   * Let node exit while only this server (and its idle keep-alive connections) is left: a
   * server shared by warm agent processes must not keep a script alive that forgot to close it.
   */
  unref(): void;
}

export { AGENT_HEADER };
/** A dummy key: the CLI insists on having one; the server never checks it. */
export const SIMULATED_API_KEY = 'sk-herd-simulated';

const DEFAULT_LATENCY_MS = 2000;

/** Mutable per-server state shared by the request handlers (the wire formats share SimState). */
type State = SimState & {
  /** Called with the agent's name for each model request (tests count what reached the API). */
  onMessage: ((agent: string) => void) | undefined;
};

export function startSimulateServer(options: SimulateOptions = {}): Promise<SimulateServer> {
  const state: State = {
    latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
    onMessage: options.onMessage,
    stats: { requests: 0, messages: 0, failuresInjected: 0 },
    failures: new Map(),
    nextId: 1,
  };
  const server = createServer((req, res) => {
    handle(state, req, res).catch((error: unknown) => internalError(res, error));
  });
  // Tracked so close() can cut hanging streams and idle keep-alive connections.
  const sockets = new Set<Socket>();
  let unrefed = false;
  server.on('connection', (socket) => {
    sockets.add(socket);
    if (unrefed) socket.unref();
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
        port,
        stats: state.stats,
        close: () => closeServer(server, sockets),
        unref: () => {
          unrefed = true;
          server.unref();
          for (const socket of sockets) socket.unref();
        },
      });
    });
  });
}

function closeServer(server: ReturnType<typeof createServer>, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    // The callback fires once every connection is gone; an "already closed" error is fine too.
    server.close(() => resolve());
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
  });
}

/** Env vars that point a real `claude` at `server`, tagged with the agent id. No secrets. */
export function simulateEnv(server: SimulateServer, agentId: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: server.url,
    ANTHROPIC_API_KEY: SIMULATED_API_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    // The CLI sends each "Name: value" line of this variable as a header on every API call.
    // A newline in the id would start a new header, so it is flattened.
    ANTHROPIC_CUSTOM_HEADERS: `${AGENT_HEADER}: ${agentId.replace(/[\r\n]+/g, ' ').trim()}`,
  };
}

async function handle(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  state.stats.requests++;
  const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
  if (req.method === 'POST' && path === '/v1/messages') return handleMessages(state, req, res);
  if (req.method === 'POST' && path === '/v1/messages/count_tokens') return handleCountTokens(req, res);
  // Codex (OpenAI Responses API) and Gemini (generateContent), each in its own module.
  if (req.method === 'POST' && path === '/v1/responses') return handleResponses(state, req, res);
  const gemini = GEMINI_ROUTE.exec(path);
  if (req.method === 'POST' && gemini) return handleGemini(state, req, res, gemini[1]!, gemini[2]!);
  // The CLI also probes `HEAD /` at start-up; a 404 is all it needs.
  req.resume();
  sendError(res, 404, `[simulated] no route for ${req.method ?? '?'} ${path || '/'}`);
}

async function handleCountTokens(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await readRequest(req, res);
  if (!request) return;
  sendJson(res, 200, { input_tokens: estimateInputTokens(request) });
}

async function handleMessages(state: State, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const request = await readRequest(req, res);
  if (!request) return;
  const conversation = readConversation(request);
  const agent = agentOf(req, conversation.cwd);
  const directives = parseDirectives(conversation.current);
  state.onMessage?.(agent);
  if (injectFailure(state, agent, conversation, directives, res)) return;
  state.stats.messages++;
  const msg = buildReply(state, request, agent, conversation, directives);
  afterDelay(res, directives.latencyMs ?? state.latencyMs, () => answer(request, directives, msg, res));
}

/** Reads and validates a JSON Messages request; answers 400/413 itself and returns undefined. */
async function readRequest(req: IncomingMessage, res: ServerResponse): Promise<MessagesRequest | undefined> {
  const body = await readJsonBody(req, (status, message) => sendError(res, status, message));
  if (body === undefined) return undefined;
  const request = parseMessagesRequest(body);
  if (typeof request === 'string') {
    sendError(res, 400, request);
    return undefined;
  }
  return request;
}

/**
 * Applies `[sim:status <code> x<n>]`: fails the first n requests of this agent + prompt
 * (every request without x<n>). Returns true when it answered with an error.
 */
function injectFailure(state: State, agent: string, conversation: Conversation, directives: Directives, res: ServerResponse): boolean {
  const code = takeFailure(state, agent, conversation.current, directives);
  if (code === undefined) return false;
  sendError(res, code, `[simulated] injected HTTP ${code} (failure ${failuresSoFar(state, agent, conversation.current)})`);
  return true;
}

/**
 * The next tool call the prompt's directives ask for (one per request, in order) or, once
 * they are all done, the text answer.
 */
function buildReply(state: State, request: MessagesRequest, agent: string, conversation: Conversation, directives: Directives): ReplyMessage {
  const n = state.nextId++;
  const fixed = directives.usage;
  const base = { id: `msg_sim_${n}`, model: request.model, inputTokens: fixed?.inputTokens ?? estimateInputTokens(request) };
  const outputTokens = (generated: string) => fixed?.outputTokens ?? tokens(generated);
  const tool = directives.tools[conversation.toolCallsThisTurn];
  if (tool) {
    const block = toolUseBlock(tool, agent, `toolu_sim_${n}`, conversation.cwd);
    return { ...base, content: [block], stopReason: 'tool_use', outputTokens: outputTokens(JSON.stringify(block.input)) };
  }
  // Under --json-schema the model hands in its answer by calling StructuredOutput, once.
  if (request.structuredOutputSchema && !conversation.structuredOutputGiven) {
    const input = composeStructuredOutput(agent, conversation, request.structuredOutputSchema);
    const block = { type: 'tool_use' as const, id: `toolu_sim_${n}`, name: STRUCTURED_OUTPUT_TOOL, input };
    return { ...base, content: [block], stopReason: 'tool_use', outputTokens: outputTokens(JSON.stringify(input)) };
  }
  const text = composeReply(agent, conversation);
  return { ...base, content: [{ type: 'text', text }], stopReason: 'end_turn', outputTokens: outputTokens(text) };
}

function toolUseBlock(tool: SimToolCall, agent: string, id: string, cwd: string | undefined): Extract<ReplyBlock, { type: 'tool_use' }> {
  switch (tool.kind) {
    case 'write':
      return { type: 'tool_use', id, name: 'Write', input: { file_path: tool.path, content: tool.content ?? `written by ${agent}\n` } };
    case 'read':
      return { type: 'tool_use', id, name: 'Read', input: { file_path: absoluteIn(cwd, tool.path) } };
    case 'edit':
      return { type: 'tool_use', id, name: 'Edit', input: { file_path: absoluteIn(cwd, tool.path), old_string: tool.oldText, new_string: tool.newText } };
    case 'bash':
      return { type: 'tool_use', id, name: 'Bash', input: { command: tool.command, description: `simulated: ${tool.command}` } };
  }
}

/** Read and Edit want absolute paths (as a real model sends them): relative ones are taken from the CLI's working directory. */
function absoluteIn(cwd: string | undefined, file: string): string {
  return cwd === undefined || isAbsolute(file) ? file : join(cwd, file);
}

function answer(request: MessagesRequest, directives: Directives, msg: ReplyMessage, res: ServerResponse): void {
  if (res.destroyed) return;
  if (directives.hang) {
    // Headers (and message_start when streaming) go out, then nothing until close().
    if (request.stream) startStream(res, msg);
    else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.flushHeaders();
    }
    return;
  }
  if (request.stream) writeStream(res, msg);
  else sendJson(res, 200, messageJson(msg));
}

/** Last resort for a bug in a handler: a 500 api_error rather than a dropped connection. */
function internalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, 500, `[simulated] internal error: ${error instanceof Error ? error.message : String(error)}`);
}
