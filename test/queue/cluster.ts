// Real Redis and real `herd worker` processes for the queue tests: a redis-server on a free
// loopback port with its own temporary directory (AOF on, so a restart keeps the queue), and
// workers started from the built CLI, each with its own workspace root. When redis-server is
// missing the suites say so and are skipped (never passed).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cliMain, repoRoot } from '../helpers.js';

export const REDIS_MISSING = 'skipped: install redis-server (apt-get install redis-server)';
export const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasRedis) console.warn(`queue tests ${REDIS_MISSING}`);

export interface RedisServer {
  port: number;
  url: (db?: number) => string;
  stop(): Promise<void>;
  /** Stopped (SIGTERM: the AOF is flushed) and started again on the same port and data. */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<RedisServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'herd-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    await waitForOutput(started, /Ready to accept connections/, 'redis-server to start');
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: (db = 0) => `redis://127.0.0.1:${port}/${db}`,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    cleanup: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface WorkerProcess {
  id: string;
  root: string;
  child: ChildProcess;
  readonly stderr: string;
  /** Resolves with the exit code once it exited. */
  exited: Promise<number | null>;
  /** Waits until its log has a line matching `pattern`. */
  waitForLog(pattern: RegExp, what?: string, timeoutMs?: number): Promise<void>;
}

/** `herd worker` as a real process; resolves once it says it is ready. */
export async function startWorker(url: string, id: string, root: string, args: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [cliMain, 'worker', '--queue', url, '--id', id, '--workspace-root', root, ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const worker: WorkerProcess = {
    id,
    root,
    child,
    get stderr() {
      return stderr;
    },
    exited,
    waitForLog: (pattern, what = String(pattern), timeoutMs = 30_000) => waitForOutput(child, pattern, `worker ${id}: ${what}`, timeoutMs, () => stderr),
  };
  await worker.waitForLog(/ready on/, 'ready');
  return worker;
}

/** Ends a worker (SIGTERM: it finishes its jobs) and waits for it; SIGKILL if it takes too long. */
export async function stopWorker(worker: WorkerProcess): Promise<void> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
  worker.child.kill('SIGTERM');
  const timer = setTimeout(() => worker.child.kill('SIGKILL'), 20_000);
  await worker.exited;
  clearTimeout(timer);
}

function waitForOutput(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 15_000, read?: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const check = () => {
      if (pattern.test(read ? read() : seen)) {
        done();
        resolve();
      }
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      check();
    };
    const onExit = () => {
      done();
      reject(new Error(`${what}: the process exited first; it said:\n${read ? read() : seen}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what}; it said:\n${read ? read() : seen}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    check();
  });
}
