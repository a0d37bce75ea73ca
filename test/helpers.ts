// Shared test helpers: temp workspace roots, the fake claude fixture, running the built
// CLI as a real process, and checking that processes are gone.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const fixture = (name: string) => path.join(repoRoot, 'test', 'fixtures', name);
export const fakeClaude = fixture('fake-claude.mjs');
export const cliMain = path.join(repoRoot, 'dist', 'cli', 'main.js');

export async function makeTempDir(prefix = 'herd-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { path: dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  /** Called with the child as soon as it is spawned (to send signals on a handshake). */
  onSpawn?: (child: ChildProcess) => void;
  onStderr?: (text: string, child: ChildProcess) => void;
}

/** Run the built `herd` CLI (dist/cli/main.js) as a real process. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return runCommand(process.execPath, [cliMain, ...args], options);
}

/** Run any program (e.g. bash wrapping herd) the way runCli runs herd. */
export function runCommand(file: string, args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...options.env };
    const child = spawn(file, args, { cwd: options.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    // A SIGKILLed herd cannot end its agents, which may hold its pipes open: do not wait for them.
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') return;
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
    options.onSpawn?.(child);
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /\) Z /.test(stat);
  } catch {
    return false;
  }
}

export async function readPid(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim());
}

/** Poll until `check` passes (for handshakes through the file system), failing after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
