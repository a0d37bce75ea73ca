// The generic command adapter through a real cold attempt: the answer is the end of what the
// program printed, kept in a bounded ring below the adapter (no per-line work), read as lines.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCommandAdapter } from '../../src/agents/command.js';
import { executeAgentTurn } from '../../src/attempt/cold-attempt.js';
import type { AgentResult } from '../../src/types.js';
import { makeTempDir } from '../helpers.js';

let workspace: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  workspace = await makeTempDir('herd-command-');
});
afterEach(async () => {
  await workspace.cleanup();
});

/** Run `node -e script` as a command agent; the script writes raw bytes (no shell, no console.log). */
function runScript(script: string): Promise<AgentResult> {
  const tag = `herd-command-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  return executeAgentTurn(
    { id: 'cmd', prompt: 'unused', agent: 'command', command: [process.execPath, '-e', script], promptArg: false },
    { adapter: createCommandAdapter(), workspace: workspace.path, env: { PATH: process.env.PATH ?? '', HERD_AGENT_TAG: tag }, tag },
  );
}

describe('command adapter answer', () => {
  it('is the last 64 KiB of a long output, exact, starting on a whole character', async () => {
    // 400 KB of numbered lines full of 2-, 3- and 4-byte characters, written in odd-sized pieces.
    const script = `
      const lines = Array.from({ length: 4000 }, (_, i) => i + ' é€😀 ' + 'x'.repeat(i % 50));
      const bytes = Buffer.from(lines.join('\\n') + '\\n');
      for (let at = 0; at < bytes.length; at += 999) process.stdout.write(bytes.subarray(at, at + 999));`;
    const full = Array.from({ length: 4000 }, (_, i) => `${i} é€😀 ${'x'.repeat(i % 50)}`).join('\n');
    const result = await runScript(script);
    expect(result.status).toBe('succeeded');
    const answer = result.result!;
    expect(answer).not.toContain('\uFFFD');
    expect(full.endsWith(answer)).toBe(true);
    expect(Buffer.byteLength(answer)).toBeLessThanOrEqual(64 * 1024);
    // The trailing newline is not part of it; at most one character is lost at the cut.
    expect(Buffer.byteLength(answer)).toBeGreaterThanOrEqual(64 * 1024 - 1 - 3);
    expect(answer.endsWith(`3999 é€😀 ${'x'.repeat(3999 % 50)}`)).toBe(true);
  });

  it('reads CRLF as LF and drops only the final line break', async () => {
    expect((await runScript(`process.stdout.write('one\\r\\ntwo\\r\\n\\nthree\\r\\n')`)).result).toBe('one\ntwo\n\nthree');
    expect((await runScript(`process.stdout.write('no newline at the end')`)).result).toBe('no newline at the end');
  });

  it('is empty for a bare newline and absent when nothing was printed', async () => {
    expect((await runScript(`process.stdout.write('\\n')`)).result).toBe('');
    const silent = await runScript('');
    expect(silent.status).toBe('succeeded');
    expect(silent.result).toBeUndefined();
  });

  it('keeps the end of a line too long to split (over 16 MB), instead of dropping it', async () => {
    const result = await runScript(`process.stdout.write('a'.repeat(17 * 1024 * 1024) + 'END\\n')`);
    expect(result.result).toHaveLength(64 * 1024 - 1);
    expect(result.result!.endsWith('aaaEND')).toBe(true);
  });
});
