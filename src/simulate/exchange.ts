// What every simulated API (Anthropic Messages, OpenAI Responses, Gemini) shares: the server's
// mutable state, reading a JSON body, which agent is asking, injected failures and latency.
// The wire formats live in their own modules and use these.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename } from 'node:path';
import type { Directives } from './directives.js';

/** Mutable per-server state shared by the request handlers. */
export interface SimState {
  latencyMs: number;
  stats: { requests: number; messages: number; failuresInjected: number };
  /** Injected failures so far, per agent + prompt, for `[sim:status <code> x<n>]`. */
  failures: Map<string, number>;
  nextId: number;
}

/** The header that tells the server which herd agent is asking (each CLI is told to send it). */
export const AGENT_HEADER = 'x-herd-agent';

// Big enough for a long resumed history (the CLI resends every turn), small enough to bound memory.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The body as text; rejects with "too large" past MAX_BODY_BYTES (read to the end so a 413 can still be sent). */
export function readBody(req: IncomingMessage): Promise<string> {
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

/**
 * The body parsed as JSON; on failure answers 400 (not JSON) or 413 (too large) through `fail`
 * and returns undefined.
 */
export async function readJsonBody(req: IncomingMessage, fail: (status: number, message: string) => void): Promise<unknown> {
  try {
    return JSON.parse(await readBody(req)) as unknown;
  } catch (error) {
    const tooLarge = error instanceof Error && error.message === 'too large';
    fail(tooLarge ? 413 : 400, tooLarge ? 'request body too large' : 'request body is not valid JSON');
    return undefined;
  }
}

/** The agent from the header; failing that the CLI's working directory; else "anonymous". */
export function agentOf(req: IncomingMessage, cwd: string | undefined): string {
  const header = req.headers[AGENT_HEADER];
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value) return value;
  if (cwd) return basename(cwd);
  return 'anonymous';
}

/**
 * Applies `[sim:status <code> x<n>]`: the status to fail this request with when the first n
 * requests of this agent + prompt are to fail (every request without x<n>); counts it.
 */
export function takeFailure(state: SimState, agent: string, prompt: string, directives: Directives): number | undefined {
  const status = directives.status;
  if (!status) return undefined;
  const key = `${agent}\u0000${prompt}`;
  const count = state.failures.get(key) ?? 0;
  if (status.times !== undefined && count >= status.times) return undefined;
  state.failures.set(key, count + 1);
  state.stats.failuresInjected++;
  return status.code;
}

/** How many failures of this agent + prompt were injected so far (for the error message). */
export function failuresSoFar(state: SimState, agent: string, prompt: string): number {
  return state.failures.get(`${agent}\u0000${prompt}`) ?? 0;
}

/** Runs `then` after `ms`, unless the client went away meanwhile (no writes to dead sockets). */
export function afterDelay(res: ServerResponse, ms: number, then: () => void): void {
  if (ms <= 0) return then();
  const timer = setTimeout(then, ms);
  res.once('close', () => clearTimeout(timer));
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** ≈ 4 characters per token, never 0. */
export function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Text that is one element of the CLI's own markup (`<environment_context>…</environment_context>`), not typed by a person. */
export function isInjectedBlock(text: string): boolean {
  return /^<([\w-]+)(?:\s[^>]*)?>[\s\S]*<\/\1>$/.test(text.trim());
}
