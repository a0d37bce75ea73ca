// `herd ui`'s HTTP server: node:http (a handful of routes need no framework), a thin layer over
// the store (run records, events.jsonl), the report module and UiActions. Every string it
// sends is data (JSON or server-sent events); the page renders it as text.

import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { HerdError, UsageError } from '../errors.js';
import { validateId } from '../options.js';
import { renderHtmlReport } from '../report/html.js';
import { EVENTS_FILE, listRuns, readEvents, readRun } from '../store/run-store.js';
import type { RunSummary } from '../types.js';
import { UiActions } from './actions.js';
import { allowedHostsFor, hostAllowed, PAGE_CSP, REPORT_CSP, sameOrigin, sameSecret, TOKEN_COOKIE, tokenOf, type AuthConfig } from './auth.js';
import { FileTail } from './file-tail.js';
import { computeHistory } from './history.js';
import { RunsWatcher } from './runs-watcher.js';

export interface UiServerOptions {
  root: string;
  token: string;
  /** Where the built page lives (dist/ui). */
  assetsDir: string;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

const MAX_BODY_BYTES = 256 * 1024;

/** A light row per run for the list (the page asks for a whole run when it shows it). */
export function listRow(run: RunSummary) {
  const ended = run.agents.filter((agent) => agent.status !== 'pending' && agent.status !== 'running');
  return {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    simulated: run.simulated,
    name: run.workflow?.name,
    agents: run.agents.length,
    succeeded: run.agents.filter((agent) => agent.status === 'succeeded').length,
    ended: ended.length,
    turns: run.turns.length,
    costUsd: run.turns.reduce((total, turn) => total + turn.agents.reduce((sum, agent) => sum + agent.costUsd, 0), 0),
  };
}

export class UiServer {
  readonly server: Server;
  private readonly actions: UiActions;
  private readonly tails = new Map<string, FileTail>();
  private readonly runsWatcher: RunsWatcher;
  private readonly openStreams = new Set<ServerResponse>();
  /** Known once listening: the Host names a browser may use for this server. */
  private allowedHosts: AuthConfig['allowedHosts'] = new Set();

  constructor(private readonly options: UiServerOptions) {
    this.actions = new UiActions(options.root);
    this.runsWatcher = new RunsWatcher(options.root);
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => this.fail(response, error));
    });
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        const actualPort = typeof address === 'object' && address ? address.port : port;
        this.allowedHosts = allowedHostsFor(host, actualPort);
        resolve(actualPort);
      });
    });
  }

  async close(): Promise<void> {
    this.actions.abortAll();
    this.runsWatcher.stop();
    for (const response of this.openStreams) response.end();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://herd.invalid');
    const auth: AuthConfig = { allowedHosts: this.allowedHosts, token: this.options.token };
    if (!hostAllowed(request, auth)) return this.send(response, 421, { error: 'unknown Host header' });
    const given = tokenOf(request, url);
    if (!sameSecret(given, this.options.token)) return this.send(response, 401, { error: 'missing or wrong token: open the URL herd ui printed' });
    if (url.searchParams.has('token') && request.method === 'GET' && url.pathname === '/') {
      // First visit: the token moves into a cookie and out of the address bar (and history).
      response.writeHead(303, {
        location: '/',
        'set-cookie': `${TOKEN_COOKIE}=${this.options.token}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      response.end();
      return;
    }
    if (request.method === 'POST') {
      if (!sameOrigin(request, auth)) return this.send(response, 403, { error: 'actions are taken only from the herd ui page itself' });
      return this.handleAction(request, response, url);
    }
    if (request.method !== 'GET') return this.send(response, 405, { error: 'method not allowed' });
    const asset = ASSETS[url.pathname];
    if (asset) return this.sendAsset(response, asset);
    return this.handleRead(response, url, request);
  }

  private async handleRead(response: ServerResponse, url: URL, request: IncomingMessage): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/api/runs') return this.send(response, 200, await this.runRows());
    if (url.pathname === '/api/runs/stream') return this.streamRuns(request, response);
    if (url.pathname === '/api/history') return this.send(response, 200, computeHistory((await listRuns(this.options.root)).runs));
    if (parts[0] === 'api' && parts[1] === 'runs' && parts[2] !== undefined) {
      const runId = validateId('run id', decodePart(parts[2]));
      if (parts.length === 3) return this.send(response, 200, await readRun(this.options.root, runId));
      if (parts[3] === 'events' && parts.length === 4) return this.streamEvents(request, response, runId);
    }
    if (parts[0] === 'runs' && parts[2] === 'report' && parts.length === 3) return this.sendReport(response, validateId('run id', decodePart(parts[1]!)));
    return this.send(response, 404, { error: 'not found' });
  }

  private async handleAction(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api' || parts[1] !== 'runs' || parts[2] === undefined || parts.length !== 4) return this.send(response, 404, { error: 'not found' });
    const runId = validateId('run id', decodePart(parts[2]));
    const body = await readJsonBody(request);
    switch (parts[3]) {
      case 'continue': {
        const prompt = typeof body.prompt === 'string' ? body.prompt : '';
        const agents = Array.isArray(body.agents) ? body.agents.filter((agent): agent is string => typeof agent === 'string') : undefined;
        return this.send(response, 202, await this.actions.continueRun(runId, prompt, agents));
      }
      case 'resume':
        return this.send(response, 202, await this.actions.resumeRun(runId));
      case 'cancel':
        return this.send(response, 202, await this.actions.cancelRun(runId));
      default:
        return this.send(response, 404, { error: 'not found' });
    }
  }

  private async runRows() {
    const { runs, unreadable } = await listRuns(this.options.root);
    return { runs: runs.map(listRow), unreadable };
  }

  private async sendReport(response: ServerResponse, runId: string): Promise<void> {
    const summary = await readRun(this.options.root, runId);
    const { events, skippedLines } = await readEvents(path.join(this.options.root, runId));
    const html = renderHtmlReport({ summary, events, skippedEventLines: skippedLines, generatedAt: new Date() });
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': REPORT_CSP, ...COMMON_HEADERS });
    response.end(html);
  }

  private async sendAsset(response: ServerResponse, asset: { file: string; type: string }): Promise<void> {
    const body = await readFile(path.join(this.options.assetsDir, asset.file));
    response.writeHead(200, { 'content-type': asset.type, 'content-security-policy': PAGE_CSP, ...COMMON_HEADERS });
    response.end(body);
  }

  /** Server-sent events: the run's events.jsonl from its first line, then as it grows. */
  private async streamEvents(request: IncomingMessage, response: ServerResponse, runId: string): Promise<void> {
    // An unknown run is a 404 here too, not a stream left open for nothing.
    await readRun(this.options.root, runId);
    const file = path.join(this.options.root, runId, EVENTS_FILE);
    let tail = this.tails.get(file);
    if (!tail) {
      tail = new FileTail(file);
      this.tails.set(file, tail);
    }
    this.openStream(response);
    const unsubscribe = await tail.subscribe((line) => response.write(`data: ${line}\n\n`));
    response.write('event: caught-up\ndata: {}\n\n');
    request.on('close', () => {
      unsubscribe();
      this.openStreams.delete(response);
      if (tail.subscribers === 0) this.tails.delete(file);
    });
  }

  /** Server-sent events: the list of runs, again whenever a run record changes. */
  private streamRuns(request: IncomingMessage, response: ServerResponse): void {
    this.openStream(response);
    const unsubscribe = this.runsWatcher.subscribe(async () => {
      response.write(`data: ${JSON.stringify(await this.runRows())}\n\n`);
    });
    request.on('close', () => {
      unsubscribe();
      this.openStreams.delete(response);
    });
  }

  private openStream(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive', ...COMMON_HEADERS });
    response.write(': herd ui\n\n');
    this.openStreams.add(response);
  }

  private send(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...COMMON_HEADERS });
    response.end(JSON.stringify(body));
  }

  private fail(response: ServerResponse, error: unknown): void {
    if (response.headersSent) {
      response.end();
      return;
    }
    const status = error instanceof UsageError ? 400 : 500;
    const message = error instanceof HerdError || error instanceof Error ? error.message : String(error);
    this.send(response, status, { error: message });
  }
}

const COMMON_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' } as const;

/** A path segment as text; bad percent-encoding is the caller's mistake (400), not a crash (500). */
function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UsageError('the address holds invalid percent-encoding');
  }
}

async function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new UsageError('request body too large');
    chunks.push(buffer);
  }
  if (size === 0) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw new UsageError('the request body is not JSON');
  }
}
