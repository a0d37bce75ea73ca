// Finding the `claude` executable: an explicit path (--claude-bin / HERD_CLAUDE_BIN),
// else `claude` on PATH, else the native binary of the @anthropic-ai/claude-code package
// herd depends on, so `npm install` alone gives a working agent.

import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The package's bin/claude.exe is a small shell stub until its postinstall script copies the
 * native binary over it (skipped with --ignore-scripts); the stub only prints this and exits 1.
 */
const STUB_MARKER = 'native binary not installed';
const STUB_MAX_BYTES = 4096;

export function resolveClaudeBin(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  const given = explicit ?? env.HERD_CLAUDE_BIN;
  if (given) {
    const found = given.includes('/') ? (isExecutable(given) ? path.resolve(given) : undefined) : findOnPath(given, env.PATH);
    if (!found) throw new UsageError(`--claude-bin: "${given}" is not an executable file`);
    return found;
  }
  const candidate = findOnPath('claude', env.PATH, isRealClaude) ?? findPackagedClaude();
  if (!candidate) {
    throw new UsageError('cannot find the claude CLI: install it (npm install @anthropic-ai/claude-code) or pass --claude-bin <path>');
  }
  return candidate;
}

function findOnPath(name: string, searchPath: string | undefined, accept: (file: string) => boolean = isExecutable): string | undefined {
  for (const dir of (searchPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (accept(file)) return file;
  }
  return undefined;
}

/** The platform package (@anthropic-ai/claude-code-linux-x64, ...) holds the real binary even when postinstall did not run. */
function findPackagedClaude(): string | undefined {
  const require = createRequire(import.meta.url);
  const platformPackages = [
    `@anthropic-ai/claude-code-${process.platform}-${process.arch}`,
    `@anthropic-ai/claude-code-${process.platform}-${process.arch}-musl`,
  ];
  for (const name of platformPackages) {
    const file = tryResolve(require, `${name}/package.json`, 'claude');
    if (file && isExecutable(file)) return file;
  }
  const wrapper = tryResolve(require, '@anthropic-ai/claude-code/package.json', 'bin/claude.exe');
  return wrapper && isRealClaude(wrapper) ? wrapper : undefined;
}

function tryResolve(require: NodeJS.Require, packageJson: string, relative: string): string | undefined {
  try {
    return path.join(path.dirname(require.resolve(packageJson)), relative);
  } catch {
    return undefined;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isRealClaude(file: string): boolean {
  if (!isExecutable(file)) return false;
  return statSync(file).size > STUB_MAX_BYTES || !readFileSync(file, 'utf8').includes(STUB_MARKER);
}
