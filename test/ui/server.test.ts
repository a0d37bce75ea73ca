// The herd ui server over real HTTP (no browser): who gets in, what it serves, and the event
// stream catching up from the log and following it as another process would append.

import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTotals } from '../../src/report/totals.js';
import type { RunSummary } from '../../src/types.js';
import { UiServer } from '../../src/ui/server.js';
import { makeTempDir, repoRoot } from '../helpers.js';

const TOKEN = 'test-token-0123456789';
let root: { path: string; cleanup: () => Promise<void> };
let server: UiServer;
let port: number;
const runId = '20261201-120000-abcd';

function record(): RunSummary {
  const now = new Date().toISOString();
  return {
    runId,
    status: 'running',
    startedAt: now,
    endedAt: now,
    simulated: true,
    agents: [],
    totals: computeTotals([], 0, 1),
    turns: [],
    tasks: [],
    workspaceRoot: root.path,
  };
}

/** A raw request, so the Host and Origin headers are exactly what the test says. */
function send(
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: pathname, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
const bearer = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  root = await makeTempDir('herd-ui-server-');
  await mkdir(path.join(root.path, runId));
  await writeFile(path.join(root.path, runId, 'run.json'), JSON.stringify(record()));
  await writeFile(path.join(root.path, '..', `secret-${path.basename(root.path)}.txt`), 'do not serve');
  server = new UiServer({ root: root.path, token: TOKEN, assetsDir: path.join(repoRoot, 'dist', 'ui') });
  port = await server.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await server.close();
  await root.cleanup();
});

describe('herd ui server', () => {
  it('lets in the token only, and moves it from the URL into an HttpOnly cookie', async () => {
    expect((await send('/api/runs')).status).toBe(401);
    expect((await send('/api/runs', { headers: { cookie: 'herd_ui=wrong' } })).status).toBe(401);
    expect((await send('/api/runs', { headers: bearer })).status).toBe(200);
    const first = await send(`/?token=${TOKEN}`);
    expect(first.status).toBe(303);
    expect(first.headers['set-cookie']?.[0]).toMatch(/^herd_ui=test-token-0123456789; HttpOnly; SameSite=Strict/);
    const page = await send('/', { headers: { cookie: `herd_ui=${TOKEN}` } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(page.body).not.toMatch(/<script>/);
  });

  it('refuses a Host it does not serve (DNS rebinding) even with the token', async () => {
    expect((await send('/api/runs', { headers: { ...bearer, host: `evil.example:${port}` } })).status).toBe(421);
  });

  it('takes actions only from its own origin', async () => {
    const body = JSON.stringify({ prompt: 'hi' });
    expect((await send(`/api/runs/${runId}/continue`, { method: 'POST', headers: bearer, body })).status).toBe(403);
    expect((await send(`/api/runs/${runId}/continue`, { method: 'POST', headers: { ...bearer, origin: 'http://evil.example' }, body })).status).toBe(403);
    // From its own origin it acts: this run has no agents, so there is nothing to continue (a clear 400).
    const own = await send(`/api/runs/${runId}/cancel`, { method: 'POST', headers: { ...bearer, origin: `http://127.0.0.1:${port}` } });
    expect(own.status).toBe(400);
    expect(JSON.parse(own.body).error).toMatch(/not running/);
  });

  it('answers bad percent-encoding and unknown runs with 400, never a 500 or an open stream', async () => {
    for (const bad of ['/api/runs/%', '/api/runs/%E0%A4%A', '/runs/%/report', '/api/runs/nosuchrun/events', '/api/runs/run.json/events']) {
      const response = await send(bad, { headers: bearer });
      expect(response.status, bad).toBe(400);
    }
  });

  it('never serves a file outside the root', async () => {
    for (const attempt of [
      '/api/runs/..%2F..%2Fetc',
      `/api/runs/..%2Fsecret-${path.basename(root.path)}.txt`,
      '/runs/%2E%2E/report',
      '/../../etc/passwd',
      '/app.js/../../package.json',
    ]) {
      const response = await send(attempt, { headers: bearer });
      expect([400, 404], attempt).toContain(response.status);
      expect(response.body).not.toContain('do not serve');
      expect(response.body).not.toContain('root:');
    }
  });

  it('streams a run’s events from the first line, then each line appended, a UTF-8 character split across writes included', async () => {
    const events = path.join(root.path, runId, 'events.jsonl');
    const line = (n: number, text = '') => `${JSON.stringify({ type: 'run.warning', runId, ts: n, message: `event ${n}${text}` })}\n`;
    await writeFile(events, line(1) + line(2));
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: `/api/runs/${runId}/events`, headers: { ...bearer, host: `127.0.0.1:${port}` } }, (response) => {
        expect(response.headers['content-type']).toMatch(/text\/event-stream/);
        let buffer = '';
        response.on('data', (chunk: Buffer) => {
          buffer += chunk.toString();
          for (const match of buffer.matchAll(/^data: (\{"type".*)$/gm)) if (!received.includes(match[1]!)) received.push(match[1]!);
          if (buffer.includes('event: caught-up') && received.length === 2) {
            // Caught up: now another process appends, the last line in two pieces, cut inside "é".
            const third = line(3, ' café');
            const cut = Buffer.from(third).indexOf(Buffer.from('é')) + 1;
            void appendFile(events, Buffer.from(third).subarray(0, cut)).then(() => appendFile(events, Buffer.from(third).subarray(cut)));
          }
          if (received.length === 3) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on('error', (error) => (received.length === 3 ? undefined : reject(error)));
      req.end();
    });
    await done;
    expect(received.map((text) => (JSON.parse(text) as { message: string }).message)).toEqual(['event 1', 'event 2', 'event 3 café']);
  });
});
