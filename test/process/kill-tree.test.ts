// Ending an agent completely: escaped processes that keep forking, and an environment so
// large that the tag would sit past what the sweep reads of /proc/<pid>/environ.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentEnv } from '../../src/attempt/agent-env.js';
import { AGENT_TAG_VARIABLE, findTaggedProcesses } from '../../src/process/kill-tree.js';
import { runProcess } from '../../src/process/run-process.js';
import { fixture, makeTempDir, waitFor } from '../helpers.js';

let dir: { path: string; cleanup: () => Promise<void> };
let tag: string;

beforeEach(async () => {
  dir = await makeTempDir();
  tag = `kill-tree-test/${randomBytes(4).toString('hex')}`;
});

afterEach(async () => {
  // Whatever a failed assertion left running: a chain by its process group (a fork cannot
  // outrun a group kill), anything else by its tag.
  for (const chain of CHAINS) {
    const pgidFile = path.join(dir.path, `chain-${chain}.pgid`);
    if (existsSync(pgidFile)) tryKill(-Number(readFileSync(pgidFile, 'utf8')), 'SIGKILL');
  }
  for (const pid of await findTaggedProcesses(tag)) tryKill(pid, 'SIGKILL');
  await dir.cleanup();
});

const CHAINS = [1, 2, 3];

function tryKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // gone
  }
}

/** Runs the escaping agent until it says its escapees run, then cancels it as a timeout would. */
async function runEscapingAgent(mode: string, env: Record<string, string>) {
  const controller = new AbortController();
  const lines: string[] = [];
  const run = await runProcess({
    file: fixture('escaping-agent.sh'),
    args: [mode],
    cwd: dir.path,
    env,
    tag,
    killGraceMs: 1_000,
    signal: controller.signal,
    onLine: (line) => {
      lines.push(line);
      if (line === 'started') controller.abort();
    },
  });
  expect(lines).toContain('started');
  return run;
}

const noneLeft = () => waitFor(async () => (await findTaggedProcesses(tag)).length === 0, 3_000, 'no tagged process left');

describe('killing an agent with escaped descendants', () => {
  it('sweeps until a pass finds nothing: processes that keep forking in their own session do not survive', async () => {
    const run = await runEscapingAgent('fork-chain', { PATH: process.env.PATH ?? '/usr/bin:/bin', [AGENT_TAG_VARIABLE]: tag });
    expect(run.killedBecause).toBe('cancelled');
    // A surviving chain keeps adding generations to its log (one per ~15 ms); the sweep is over
    // when runProcess returns, so half a second without growth means every chain is dead.
    const logSizes = () => CHAINS.map((chain) => statSync(path.join(dir.path, `chain-${chain}.log`)).size);
    const after = logSizes();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(logSizes()).toEqual(after);
    await noneLeft();
  });

  it('puts the tag first in the environment and finds it even past 256 KiB of variables', async () => {
    // Three 100 KB variables (one may hold at most 128 KiB): the tag, if last, would sit past 300 KB.
    const big = Object.fromEntries([1, 2, 3].map((index) => [`BIG_${index}`, 'x'.repeat(100_000)]));
    const env = buildAgentEnv({ inherited: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...big }, tag });
    expect(Object.keys(env)[0]).toBe(AGENT_TAG_VARIABLE);
    await runEscapingAgent('detach', env);
    await noneLeft();
  });
});
