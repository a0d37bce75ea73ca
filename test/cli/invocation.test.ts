// Hints say herd the way it was run: after `npm install` only `npx herd` works.
import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { herdCommand, withHerdCommand } from '../../src/cli/invocation.js';
import { cliMain, fakeClaude, makeTempDir, runCommand } from '../helpers.js';

describe('herdCommand', () => {
  it.each([
    ['/home/me/project/node_modules/.bin/herd', '/home/me/project', 'npx herd'],
    ['/root/.npm/_npx/94395a088c62451d/node_modules/.bin/herd', '/home/me', 'npx herd'],
    ['/usr/local/bin/herd', '/home/me', 'herd'],
    ['/home/me/agent-herd/dist/cli/main.js', '/home/me/agent-herd', 'node dist/cli/main.js'],
    ['/opt/agent herd/dist/cli/main.js', '/home/me', 'node "/opt/agent herd/dist/cli/main.js"'],
  ])('%s run from %s is %s', (script, cwd, expected) => {
    expect(herdCommand(script, cwd)).toBe(expected);
  });

  it('rewrites only the commands a message names in backticks', () => {
    expect(withHerdCommand('unknown run id "x"; see `herd runs`', 'npx herd')).toBe('unknown run id "x"; see `npx herd runs`');
    expect(withHerdCommand('herd: a `herd runs` b', 'herd')).toBe('herd: a `herd runs` b');
  });
});

describe('hints of herd run from node_modules/.bin', () => {
  let project: { path: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    project = await makeTempDir('herd-project-');
  });
  afterEach(async () => {
    await project.cleanup();
  });

  it('say `npx herd continue` and `npx herd show`, as an npm install puts herd there and not on PATH', async () => {
    const bin = path.join(project.path, 'node_modules', '.bin');
    await mkdir(bin, { recursive: true });
    await symlink(cliMain, path.join(bin, 'herd'));
    const run = await runCommand(path.join(bin, 'herd'), ['spawn', 'mode:ok hello'], {
      cwd: project.path,
      env: { HERD_HOME: path.join(project.path, 'runs'), HERD_CLAUDE_BIN: fakeClaude },
    });
    expect(run.code, run.stderr).toBe(0);
    const runId = /run (\S+): continue with/.exec(run.stderr)?.[1];
    expect(run.stderr).toContain(`continue with  npx herd continue ${runId} "<follow-up>"   ·   details: npx herd show ${runId}`);
    const missing = await runCommand(path.join(bin, 'herd'), ['show', 'no-such-run'], {
      cwd: project.path,
      env: { HERD_HOME: path.join(project.path, 'runs') },
    });
    expect(missing.stderr).toMatch(/see `npx herd runs`/);
  });
});
