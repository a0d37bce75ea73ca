// `herd ui`: serve the live dashboard over the workspace root until Ctrl-C. Loopback by
// default; a random token in the printed URL guards every page and API call.

import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HerdError, UsageError } from '../errors.js';
import { parsePositiveInt } from '../options.js';
import { defaultWorkspaceRoot } from '../supervisor/supervisor.js';
import { isLoopback } from '../ui/auth.js';
import { UiServer } from '../ui/server.js';
import { writeErr, writeOut } from './output.js';

export interface UiFlags {
  port?: string;
  host?: string;
  open?: boolean;
  workspaceRoot?: string;
}

export const DEFAULT_UI_PORT = 7373;

export async function uiCommand(flags: UiFlags): Promise<number> {
  const root = path.resolve(flags.workspaceRoot ?? defaultWorkspaceRoot());
  const host = flags.host ?? '127.0.0.1';
  const wantedPort = flags.port === undefined ? DEFAULT_UI_PORT : flags.port === '0' ? 0 : parsePositiveInt('--port', flags.port, 65_535);
  const token = randomBytes(24).toString('base64url');
  const assetsDir = findAssets();
  const server = new UiServer({ root, token, assetsDir });
  const port = await listenOn(server, wantedPort, host, flags.port === undefined);
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}/?token=${token}`;
  if (!isLoopback(host)) writeErr(`herd ui: warning: listening on ${host}, reachable from other machines; anyone with the URL (token) can act on your runs\n`);
  writeErr(`herd ui: serving ${root}\n`);
  writeOut(`${url}\n`);
  if (flags.open) openBrowser(url);
  await waitForStop();
  writeErr('herd ui: stopping\n');
  await server.close();
  return 0;
}

async function listenOn(server: UiServer, port: number, host: string, fallBack: boolean): Promise<number> {
  try {
    return await server.listen(port, host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The default port is taken (another herd ui?): any free one will do.
    if (code === 'EADDRINUSE' && fallBack) return server.listen(0, host);
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${host}:${port}: ${code}`);
    throw error;
  }
}

/** dist/ui beside dist/cli (the bundle and its chunks), or beside this module (the library). */
function findAssets(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const candidate of [here, path.join(here, '..', 'ui'), path.join(here, '..', '..', 'ui')]) {
    if (existsSync(path.join(candidate, 'index.html')) && existsSync(path.join(candidate, 'app.js'))) return candidate;
  }
  throw new HerdError(`the herd ui page is missing (no dist/ui/index.html near ${here}); run npm run build`);
}

function waitForStop(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, stop);
      resolve();
    };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  });
}

function openBrowser(url: string): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => writeErr(`herd ui: could not start ${opener}; open the URL above yourself\n`));
  child.unref();
}
