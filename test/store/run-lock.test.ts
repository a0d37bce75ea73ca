import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockHolder, lockRun, parseOwner, processStartTime } from '../../src/store/run-lock.js';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, fixture, makeTempDir, runCli } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

/** A real process competing for locks through dist/store/run-lock.js (test/fixtures/lock-contender.mjs). */
class Contender {
  private readonly lines: string[] = [];
  private wake: (() => void) | undefined;
  readonly child: ChildProcessWithoutNullStreams;

  constructor() {
    this.child = spawn(process.execPath, [fixture('lock-contender.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.lines.push(line);
      this.wake?.();
    });
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\n`);
  }

  /** The next line about `runId` (each command gets exactly one answer). */
  async answer(runId: string): Promise<string> {
    for (;;) {
      const index = this.lines.findIndex((line) => line.split(' ')[1] === runId);
      if (index !== -1) return this.lines.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** A pid that is certainly dead: a process that ran and was reaped. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('run lock', () => {
  it('exactly one of several processes wins a stale lock, round after round, whatever made it stale', async () => {
    const contenders = Array.from({ length: 4 }, () => new Contender());
    try {
      const dead = deadPid();
      // What a SIGKILLed herd leaves behind, in every form seen: a dead pid (with and without a start
      // time), a pid now owned by an unrelated live process (this test's), a lock an older herd left
      // empty, and a taker killed in the middle of its takeover.
      const staleLocks: Array<{ name: string; files: Record<string, string> }> = [
        { name: 'dead-owner', files: { 'run.lock': `${dead} 12345 00aa00aa00aa00aa\n` } },
        { name: 'pid-reused', files: { 'run.lock': `${process.pid} 1 11bb11bb11bb11bb\n` } },
        { name: 'empty', files: { 'run.lock': '' } },
        { name: 'legacy-pid-only', files: { 'run.lock': String(dead) } },
        {
          name: 'dead-taker',
          files: { 'run.lock': `${dead} 12345 22cc22cc22cc22cc\n`, 'run.lock.takeover-22cc22cc22cc22cc': `${dead} 12345 33dd33dd33dd33dd\n` },
        },
      ];
      const rounds = 100;
      for (let round = 0; round < rounds; round += 1) {
        const stale = staleLocks[round % staleLocks.length]!;
        const runId = `r${round}-${stale.name}`;
        const home = path.join(root.path, runId);
        await mkdir(home);
        for (const [name, text] of Object.entries(stale.files)) await writeFile(path.join(home, name), text);
        for (const contender of contenders) contender.send(`go ${root.path} ${runId}`);
        const answers = await Promise.all(contenders.map((contender) => contender.answer(runId)));
        const winners = contenders.filter((_, index) => answers[index]!.startsWith('won '));
        expect(winners, `round ${round} (${stale.name}): ${answers.join(' | ')}`).toHaveLength(1);
        const winner = winners[0]!;
        for (const answer of answers.filter((line) => line.startsWith('lost ')))
          expect(answer).toContain(`is in use by herd process ${winner.child.pid}; wait until it finishes`);
        // The lock names the winner, whole, by pid and start time.
        const owner = parseOwner(await readFile(path.join(home, 'run.lock'), 'utf8'));
        expect(owner).toMatchObject({ pid: winner.child.pid, startTime: processStartTime(winner.child.pid!) });
        expect(await lockHolder(home)).toMatchObject({ pid: winner.child.pid });
        winner.send(`release ${runId}`);
        expect(await winner.answer(runId)).toBe(`released ${runId}`);
        // No lock, no takeover marker, no temp file is left.
        expect(await readdir(home)).toEqual([]);
      }
    } finally {
      for (const contender of contenders) contender.child.kill();
    }
  }, 60_000);

  it("three `herd continue` at once on a killed herd's lock: each turn is recorded once, none lost", async () => {
    const env = { HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude };
    const first = JSON.parse((await runCli(['spawn', 'mode:ok', '--json', '-q'], { env })).stdout) as RunSummary;
    // What a SIGKILLed herd leaves: its lock, naming a process that is gone.
    await writeFile(path.join(root.path, first.runId, 'run.lock'), `${deadPid()} 12345 44ee44ee44ee44ee\n`);
    const prompts = ['mode:ok one', 'mode:ok two', 'mode:ok three'];
    const runs = await Promise.all(prompts.map((prompt) => runCli(['continue', first.runId, prompt, '-q'], { env })));
    for (const run of runs) expect([0, 2], run.stderr).toContain(run.code);
    const record = JSON.parse(await readFile(path.join(root.path, first.runId, 'run.json'), 'utf8')) as RunSummary;
    // A herd that exits 0 has its turn in the record, exactly once; one refused (exit 2) has none.
    const recorded = record.turns.slice(1).map((turn) => turn.prompt);
    expect(recorded.sort()).toEqual(prompts.filter((_, index) => runs[index]!.code === 0).sort());
    expect(record.turns.map((turn) => turn.turn)).toEqual(record.turns.map((_, index) => index + 1));
    for (const run of runs.filter((candidate) => candidate.code === 2)) expect(run.stderr).toMatch(/is in use by herd process \d+; wait until it finishes/);
  });

  it('refuses a lock held by a live herd, and takes it once released', async () => {
    await mkdir(path.join(root.path, 'run-a'));
    const release = await lockRun(root.path, 'run-a');
    await expect(lockRun(root.path, 'run-a')).rejects.toThrow(`run run-a is in use by herd process ${process.pid} (this one); wait until it finishes`);
    await release();
    const again = await lockRun(root.path, 'run-a');
    await again();
    expect(await readdir(path.join(root.path, 'run-a'))).toEqual([]);
  });

  it('says the run is unknown when its directory does not exist, and leaves nothing behind', async () => {
    await expect(lockRun(root.path, 'nope')).rejects.toThrow(/unknown run id "nope"/);
    expect(await readdir(root.path)).toEqual([]);
  });
});
