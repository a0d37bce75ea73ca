// Every entry point a person runs takes the CLI's flag names and answers a bad flag with one
// line and exit 2, never a Node stack trace: the examples, the bench scripts and the screenshot script.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCommand } from '../helpers.js';

const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');

describe('flags of the examples and bench scripts', () => {
  it.each([
    [['examples/simple.ts', '--latency', '0'], /^simple\.ts: Unknown option '--latency' \(usage: simple\.ts \[--simulate\] \[--simulate-latency <duration>\]/],
    [['examples/timing-demo.ts', '--simulate-latency'], /^timing-demo\.ts: Option '--simulate-latency <value>' argument missing \(usage: /],
    [['examples/specialized.ts', '--simulate-latency', 'soon'], /^specialized\.ts: --simulate-latency: expected a duration like 500ms/],
    [['bench/trivial.ts', '--latency', '2s'], /^trivial\.ts: unknown option '--latency' \(options: --n, --rounds, .*--simulate-latency/],
    [['bench/spawn.ts', '--rounds'], /^spawn\.ts: option '--rounds <value>' argument missing/],
    [['scripts/report-screenshot.ts', '--runid', 'x'], /^report-screenshot\.ts: Unknown option '--runid' \(usage: /],
  ])('%j: exit 2 with one line', async (args, message) => {
    const run = await runCommand(tsx, args, { env: { HERD_HOME: '/nonexistent/herd-home' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });
});
