import { spawnSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliMain, fakeClaude, makeTempDir, repoRoot, runCommand } from '../helpers.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

/**
 * A full disk, for real: a 64 KiB tmpfs mounted in a private mount namespace (unshare -m; -r
 * maps root when not root), so it vanishes with the shell that made it. Where neither works,
 * the test says why it did not run.
 */
const UNSHARE_ARGS = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
const tmpfsProbe = spawnSync('unshare', [...UNSHARE_ARGS, 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d" && umount "$d"'], {
  encoding: 'utf8',
});
const canMountTmpfs = tmpfsProbe.status === 0;
if (!canMountTmpfs)
  console.warn(`disk-full test not run: cannot mount a tmpfs in a private namespace here (${tmpfsProbe.stderr || tmpfsProbe.error?.message})`);

/** In the namespace: a tmpfs at $1 with $2 pages (4 KiB) free, herd spawn into it, herd clean --all, and what was on disk after each. */
const DISK_FULL_SCRIPT = `
set -u
d=$1; free=$2; shift 2
mount -t tmpfs -o size=64k tmpfs "$d" || exit 99
head -c $((65536 - free * 4096)) /dev/zero > "$d/filler" 2>/dev/null
node "$CLI" spawn mode:ok -n 2 --workspace-root "$d/root" -q 2>"$d.spawn-stderr"
echo "spawn-exit $?"
find "$d/root" -mindepth 1 -printf 'after-spawn %P %s\\n' 2>/dev/null
cat "$d"/root/*/run.json > "$d.record" 2>/dev/null
node "$CLI" clean --all --workspace-root "$d/root" 2>"$d.clean-stderr"
echo "clean-exit $?"
find "$d/root" -mindepth 1 -printf 'after-clean %P\\n' 2>/dev/null
exit 0
`;

describe('run store on a full disk', () => {
  it.skipIf(!canMountTmpfs)(
    'a run that runs out of disk leaves no temp file and no directory without a record, and clean removes what is left',
    async () => {
      // 0 pages free: the lock cannot be written; 1: the first run.json cannot; 2-3: a later run.json cannot; 5: all fits.
      for (const free of [0, 1, 2, 3, 5]) {
        const mountPoint = path.join(dir.path, `disk-${free}`);
        await mkdir(mountPoint);
        const run = await runCommand('unshare', [...UNSHARE_ARGS, 'sh', '-c', DISK_FULL_SCRIPT, 'sh', mountPoint, String(free)], {
          env: { CLI: cliMain, HERD_CLAUDE_BIN: fakeClaude },
          cwd: repoRoot,
        });
        const lines = run.stdout.split('\n');
        const spawnStderr = await readFile(`${mountPoint}.spawn-stderr`, 'utf8');
        const what = `${free} pages free: ${run.stdout}${run.stderr}${spawnStderr}`;
        expect(run.code, what).toBe(0);
        const spawnExit = Number(lines.find((line) => line.startsWith('spawn-exit '))?.split(' ')[1]);
        const afterSpawn = lines.filter((line) => line.startsWith('after-spawn ')).map((line) => line.slice('after-spawn '.length));
        // Never a temp file, never an empty one of any kind.
        expect(
          afterSpawn.filter((entry) => /\.tmp /.test(entry)),
          what,
        ).toEqual([]);
        const runDirs = afterSpawn.filter((entry) => !entry.includes('/')).map((entry) => entry.split(' ')[0]!);
        if (spawnExit === 0) expect(runDirs, what).toHaveLength(1);
        else {
          expect(spawnExit, what).toBe(1);
          // One line, no stack trace, says what happened.
          expect(spawnStderr, what).toMatch(/^herd: cannot (lock|write) .*: the disk is full\n$/);
        }
        // A run directory that is left holds a readable record (resume can finish it) and no lock.
        for (const runDir of runDirs) {
          expect(
            afterSpawn.some((entry) => entry.startsWith(`${runDir}/run.json `)),
            what,
          ).toBe(true);
          expect(
            afterSpawn.some((entry) => entry.startsWith(`${runDir}/run.lock`)),
            what,
          ).toBe(false);
          expect(JSON.parse(await readFile(`${mountPoint}.record`, 'utf8'))).toMatchObject({ runId: runDir });
        }
        expect(
          lines.filter((line) => line.startsWith('after-clean ')),
          `${what}${await readFile(`${mountPoint}.clean-stderr`, 'utf8')}`,
        ).toEqual([]);
        expect(lines).toContain('clean-exit 0');
      }
    },
    60_000,
  );
});

describe('run store durability', () => {
  const hasStrace = spawnSync('strace', ['-V']).status === 0;
  if (!hasStrace) console.warn('directory fsync test not run: strace is not installed');

  it.skipIf(!hasStrace)('syncs the run directory after renaming run.json into place (the rename itself must survive a power cut)', async () => {
    const trace = path.join(dir.path, 'trace');
    const home = path.join(dir.path, 'run');
    const script = `
      import { mkdirSync } from 'node:fs';
      const { RunFileWriter } = await import(${JSON.stringify(path.join(repoRoot, 'dist/store/run-store.js'))});
      mkdirSync(${JSON.stringify(home)});
      await new RunFileWriter(${JSON.stringify(home)}).write({ runId: 'run' });
    `;
    const traced = spawnSync(
      'strace',
      ['-f', '-qq', '-e', 'trace=openat,rename,fsync,close', '-o', trace, process.execPath, '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(traced.status, traced.stderr).toBe(0);
    const calls = (await readFile(trace, 'utf8')).split('\n').map((line) => line.replace(/^\d+\s+/, '').replace(/\s+/g, ' '));
    const renamed = calls.findIndex((call) => call.startsWith('rename(') && call.includes(`"${home}/run.json"`) && call.endsWith('= 0'));
    expect(renamed, calls.join('\n')).toBeGreaterThan(-1);
    const openedDir = calls.slice(renamed).find((call) => call.startsWith('openat(') && call.includes(`"${home}"`) && call.includes('O_DIRECTORY'));
    expect(openedDir, calls.join('\n')).toBeDefined();
    const fd = /= (\d+)$/.exec(openedDir!)?.[1];
    expect(calls.slice(renamed)).toContain(`fsync(${fd}) = 0`);
  });
});
