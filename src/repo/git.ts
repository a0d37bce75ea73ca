// The one place herd runs git: argv arrays through execFile (never a shell), an environment
// cleaned of variables that would point git at another repository or index (a herd started
// from a git hook inherits GIT_DIR and GIT_INDEX_FILE), messages in English so they can be
// read, and no prompt ever waiting for a terminal.

import { execFile } from 'node:child_process';

export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface GitOptions {
  cwd: string;
  /** Added to the cleaned environment (e.g. an identity, a temporary index). */
  env?: Record<string, string>;
  /** A git that fails does not throw: the caller reads the code (e.g. `diff --quiet`). */
  allowFailure?: boolean;
  /** Written to git's stdin (e.g. a patch for `git apply`). */
  input?: string;
}

/** git failed: the command and the first line git gave as its reason. */
export class GitError extends Error {
  override readonly name = 'GitError';
  constructor(
    readonly args: readonly string[],
    readonly run: GitRun,
  ) {
    super(`git ${args.join(' ')} failed: ${firstLine(run.stderr) || firstLine(run.stdout) || `exit ${run.code}`}`);
  }
}

// Big diffs and file lists come back whole; a diff this large is cut by the caller anyway.
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

/** Variables that would make git work on another repository, index or work tree than `cwd`'s. */
const REPOSITORY_VARIABLES = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
];

export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of REPOSITORY_VARIABLES) delete env[name];
  return { ...env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_MERGE_AUTOEDIT: 'no', ...extra };
}

export function git(args: string[], options: GitOptions): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      { cwd: options.cwd, env: gitEnv(options.env), maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const spawnFailed = error !== null && typeof (error as NodeJS.ErrnoException).code === 'string';
        if (spawnFailed) {
          const code = (error as NodeJS.ErrnoException).code;
          reject(new Error(code === 'ENOENT' ? 'git is not installed (no git on PATH)' : `cannot run git: ${error.message}`));
          return;
        }
        const run: GitRun = { code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr };
        if (run.code !== 0 && !options.allowFailure) reject(new GitError(args, run));
        else resolve(run);
      },
    );
    // git gets an empty stdin unless given input (nothing waits for a terminal); a git that
    // exits without reading it closes the pipe, which is no error of ours.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** git's output without its trailing newline. */
export async function gitText(args: string[], options: GitOptions): Promise<string> {
  return (await git(args, options)).stdout.replace(/\n$/, '');
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}
