// A real git repository made for a test: files, a first commit by a fixed identity, and git
// run on it with argv arrays (the way herd runs it).

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test User',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test User',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** git in `cwd`; its output without the trailing newline. */
export function gitIn(cwd: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...IDENTITY, ...env }, encoding: 'utf8' }).replace(/\n$/, '');
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

/** A repository at `dir` with `files` in its first commit on branch main. */
export async function makeRepo(dir: string, files: Record<string, string>): Promise<string> {
  await mkdir(dir, { recursive: true });
  gitIn(dir, ['init', '-q', '--initial-branch=main']);
  gitIn(dir, ['config', 'user.name', 'Test User']);
  gitIn(dir, ['config', 'user.email', 'test@example.com']);
  await writeFiles(dir, files);
  gitIn(dir, ['add', '-A']);
  gitIn(dir, ['commit', '-q', '-m', 'start']);
  return gitIn(dir, ['rev-parse', 'HEAD']);
}
