// A new user's first command: the real claude binary with no key and no login (an empty
// HOME, ANTHROPIC_API_KEY unset, no network needed). herd must say in one line what to do,
// and not dress up the failure with a speedup or a "continue with" hint.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/types.js';
import { makeTempDir, repoRoot, runCli } from '../helpers.js';

let home: { path: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  home = await makeTempDir('herd-no-login-');
});
afterAll(async () => {
  await home.cleanup();
});

describe('herd spawn without a key, a login or --simulate', () => {
  it('fails with reason auth and prints one line on what to do, no speedup and no continue hint', async () => {
    // --then: a second turn would fail the same way, so it does not run.
    const run = await runCli(['spawn', 'Write a haiku about rivers', '--then', 'Now about the sea', '--json'], {
      cwd: home.path,
      env: {
        HOME: home.path,
        HERD_HOME: path.join(home.path, 'runs'),
        HERD_CLAUDE_BIN: path.join(repoRoot, 'node_modules', '.bin', 'claude'),
        ANTHROPIC_API_KEY: undefined,
        ANTHROPIC_AUTH_TOKEN: undefined,
        ANTHROPIC_BASE_URL: undefined,
        CLAUDE_CONFIG_DIR: undefined,
        CLAUDE_CODE_OAUTH_TOKEN: undefined,
      },
    });
    expect(run.code, run.stderr).toBe(1);
    const summary = JSON.parse(run.stdout) as RunSummary;
    expect(summary.turns).toHaveLength(1);
    expect(summary.agents[0]).toMatchObject({ status: 'failed', attempts: 1, error: { reason: 'auth', message: expect.stringMatching(/not logged in/i) } });
    const hints = run.stderr.split('\n').filter((line) => /ANTHROPIC_API_KEY/.test(line));
    expect(hints).toEqual([
      'herd: claude is not logged in to the model API: set ANTHROPIC_API_KEY, or run `claude` once and log in, or add --simulate to try herd with its stand-in API',
    ]);
    expect(run.stderr).not.toMatch(/speedup|saved|continue with|reported success/);
  });
});
