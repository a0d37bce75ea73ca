import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAgent } from '../../src/supervisor/run-agent.js';
import { makeTempDir } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

const printVariables = `console.log([process.env.HERD_TEST_KEEP ?? '-', process.env.HERD_TEST_DROP ?? '-', process.env.HERD_TEST_EXTRA ?? '-'].join(' '))`;

describe('runAgent', () => {
  it('follows the same environment rules as a Supervisor run: envAllow filters what is inherited, env adds', async () => {
    process.env.HERD_TEST_KEEP = 'kept';
    process.env.HERD_TEST_DROP = 'dropped';
    try {
      const result = await runAgent(
        { id: 'env', prompt: 'p', agent: 'command', command: [process.execPath, '-e', printVariables], promptArg: false },
        { workspace: root.path, envAllow: ['HERD_TEST_KEEP'], env: { HERD_TEST_EXTRA: 'added' } },
      );
      expect(result).toMatchObject({ status: 'succeeded', result: 'kept - added' });
    } finally {
      delete process.env.HERD_TEST_KEEP;
      delete process.env.HERD_TEST_DROP;
    }
  });

  it('returns a failed result, the same shape, when the command cannot start', async () => {
    const result = await runAgent(
      { id: 'missing', prompt: 'p', agent: 'command', command: ['/nonexistent/agent'], promptArg: false },
      { workspace: root.path },
    );
    expect(result).toMatchObject({ id: 'missing', status: 'failed', workspace: root.path, error: { reason: 'spawn' } });
  });
});
