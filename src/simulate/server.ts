// Owns herd's built-in stand-in for the Anthropic Messages API (`herd --simulate`): a
// node:http server that answers `POST /v1/messages` (streamed or not) and
// `/v1/messages/count_tokens` with deterministic simulated answers, applies the `[sim:...]`
// prompt directives (latency, tool calls, injected errors, hangs), and the env that points a
// real `claude` CLI at it. Answer text lives in reply.ts, wire format in sse.ts.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { basename, isAbsolute, join } from 'node:path';
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
import { composeReply, composeStructuredOutput } from './reply.js';
import { messageJson, startStream, writeStream, type ReplyBlock, type ReplyMessage } from './sse.js';

export interface SimulateOptions {
  /** Delay before each answer starts streaming (default 2000); `[sim:latency …]` overrides it. */
  latencyMs?: number;
  /** Default 127.0.0.1 (loopback only: the server has no authentication). */
  host?: string;
  /** Default 0 = a random free port. */
  port?: number;
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

/** The header that tells the server which herd agent is asking (set via ANTHROPIC_CUSTOM_HEADERS). */
export const AGENT_HEADER = 'x-herd-agent';
/** A dummy key: the CLI insists on having one; the server never checks it. */
export const SIMULATED_API_KEY = 'sk-herd-simulated';

const DEFAULT_LATENCY_MS = 2000;
// Big enough for a long resumed history (the CLI resends every turn), small enough to bound memory.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Mutable per-server state shared by the request handlers. */
interface State {
  latencyMs: number;
  stats: { requests: number; messages: number; failuresInjected: number };
  /** Injected failures so far, per agent + prompt, for `[sim:status <code> x<n>]`. */
  failures: Map<string, number>;
  nextId: number;
}

export function startSimulateServer(options: SimulateOptions = {}): Promise<SimulateServer> {
  const state: State = {
    latencyMs: options.latencyMs ?? DEFAULT_LATENCY_MS,
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
  const agent = agentOf(req, conversation);
  const directives = parseDirectives(conversation.current);
  if (injectFailure(state, agent, conversation, directives, res)) return;
  state.stats.messages++;
  const msg = buildReply(state, request, agent, conversation, directives);
  afterDelay(res, directives.latencyMs ?? state.latencyMs, () => answer(request, directives, msg, res));
}

/** Reads and validates a JSON Messages request; answers 400/413 itself and returns undefined. */
async function readRequest(req: IncomingMessage, res: ServerResponse): Promise<MessagesRequest | undefined> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (error) {
    const tooLarge = error instanceof Error && error.message === 'too large';
    sendError(res, tooLarge ? 413 : 400, tooLarge ? 'request body too large' : 'request body is not valid JSON');
    return undefined;
  }
  const request = parseMessagesRequest(body);
  if (typeof request === 'string') {
    sendError(res, 400, request);
    return undefined;
  }
  return request;
}

/** The body as text; rejects with "too large" past MAX_BODY_BYTES (read to the end so a 413 can still be sent). */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new Error('too large'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

/** The agent from the header; failing that the CLI's working directory; else "anonymous". */
function agentOf(req: IncomingMessage, conversation: Conversation): string {
  const header = req.headers[AGENT_HEADER];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value) return value;
  if (conversation.cwd) return basename(conversation.cwd);
  return 'anonymous';
}

/**
 * Applies `[sim:status <code> x<n>]`: fails the first n requests of this agent + prompt
 * (every request without x<n>). Returns true when it answered with an error.
 */
function injectFailure(state: State, agent: string, conversation: Conversation, directives: Directives, res: ServerResponse): boolean {
  const status = directives.status;
  if (!status) return false;
  const key = `${agent}\u0000${conversation.current}`;
  const count = state.failures.get(key) ?? 0;
  if (status.times !== undefined && count >= status.times) return false;
  state.failures.set(key, count + 1);
  state.stats.failuresInjected++;
  sendError(res, status.code, `[simulated] injected HTTP ${status.code} (failure ${count + 1})`);
  return true;
}

/**
 * The next tool call the prompt's directives ask for (one per request, in order) or, once
 * they are all done, the text answer.
 */
function buildReply(state: State, request: MessagesRequest, agent: string, conversation: Conversation, directives: Directives): ReplyMessage {
  const n = state.nextId++;
  const base = { id: `msg_sim_${n}`, model: request.model, inputTokens: estimateInputTokens(request) };
  const tool = directives.tools[conversation.toolCallsThisTurn];
  if (tool) {
    const block = toolUseBlock(tool, agent, `toolu_sim_${n}`, conversation.cwd);
    return { ...base, content: [block], stopReason: 'tool_use', outputTokens: tokens(JSON.stringify(block.input)) };
  }
  // Under --json-schema the model hands in its answer by calling StructuredOutput, once.
  if (request.structuredOutputSchema && !conversation.structuredOutputGiven) {
    const input = composeStructuredOutput(agent, conversation, request.structuredOutputSchema);
    const block = { type: 'tool_use' as const, id: `toolu_sim_${n}`, name: STRUCTURED_OUTPUT_TOOL, input };
    return { ...base, content: [block], stopReason: 'tool_use', outputTokens: tokens(JSON.stringify(input)) };
  }
  const text = composeReply(agent, conversation);
  return { ...base, content: [{ type: 'text', text }], stopReason: 'end_turn', outputTokens: tokens(text) };
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

function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Runs `then` after `ms`, unless the client went away meanwhile (no writes to dead sockets). */
function afterDelay(res: ServerResponse, ms: number, then: () => void): void {
  if (ms <= 0) return then();
  const timer = setTimeout(then, ms);
  res.once('close', () => clearTimeout(timer));
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Last resort for a bug in a handler: a 500 api_error rather than a dropped connection. */
function internalError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, 500, `[simulated] internal error: ${error instanceof Error ? error.message : String(error)}`);
}
