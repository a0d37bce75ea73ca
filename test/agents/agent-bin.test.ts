// Finding each vendor CLI: an explicit path, PATH, the copy in node_modules with its version,
// and a missing CLI named by its npm package.

import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageVersionOf, resolveAgentBin } from '../../src/agents/agent-bin.js';
import { UsageError } from '../../src/errors.js';
import { makeTempDir } from '../helpers.js';

describe('resolveAgentBin', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('finds codex and gemini in node_modules, with the version of their package', () => {
    const codex = resolveAgentBin('codex', undefined, { PATH: '' });
    expect(codex.file).toMatch(/@openai\/codex-linux-x64\/vendor\/.*\/bin\/codex$/);
    expect(codex.version).toBe('0.171.0');
    const gemini = resolveAgentBin('gemini', undefined, { PATH: '' });
    expect(gemini.file).toMatch(/@google\/gemini-cli\/bundle\/gemini\.js$/);
    expect(gemini.version).toBe('0.61.0');
  });

  it('prefers PATH, and an explicit path or HERD_<KIND>_BIN over both', async () => {
    const bin = path.join(dir.path, 'bin');
    await mkdir(bin);
    const fake = path.join(bin, 'gemini');
    await writeFile(fake, '#!/bin/sh\n');
    await chmod(fake, 0o755);
    expect(resolveAgentBin('gemini', undefined, { PATH: bin }).file).toBe(fake);
    expect(resolveAgentBin('codex', undefined, { PATH: '', HERD_CODEX_BIN: fake }).file).toBe(fake);
    expect(() => resolveAgentBin('codex', path.join(bin, 'nope'), { PATH: '' })).toThrow('--codex-bin: ');
  });

  it('a version comes from the nearest package.json above the real file', async () => {
    const pkg = path.join(dir.path, 'pkg');
    await mkdir(path.join(pkg, 'bundle'), { recursive: true });
    await writeFile(path.join(pkg, 'package.json'), JSON.stringify({ name: 'x', version: '9.9.9' }));
    await writeFile(path.join(pkg, 'bundle', 'cli.js'), '');
    expect(packageVersionOf(path.join(pkg, 'bundle', 'cli.js'))).toBe('9.9.9');
  });

  it('names the npm package and the flag when a CLI is nowhere', () => {
    // Looked up from a directory with no node_modules, and nothing on PATH.
    const nowhere = path.join(dir.path, 'no-install.js');
    expect(() => resolveAgentBin('gemini', undefined, { PATH: '' }, nowhere)).toThrow(UsageError);
    expect(() => resolveAgentBin('gemini', undefined, { PATH: '' }, nowhere)).toThrow(
      'cannot find the gemini CLI for agent type "gemini": install it (npm install @google/gemini-cli) or pass --gemini-bin <path>',
    );
    expect(() => resolveAgentBin('codex', undefined, { PATH: '' }, nowhere)).toThrow('npm install @openai/codex');
  });
});
