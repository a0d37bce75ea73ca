// `npm run bench`: build dist/ once, then run every benchmark in sequence, each in its own
// process (so one bench's heap and child processes cannot disturb the next one's numbers).
// Extra arguments are passed to every bench (e.g. `npm run bench -- --with-20`).
//
//   npm run bench
//   npx tsx bench/run-all.ts --only spawn,memory

import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensureBuilt, flagValue, repoRoot } from './lib.js';

const BENCHES = ['trivial', 'memory', 'parse', 'spawn', 'workflow-diamond', 'continuation', 'stagger', 'ui', 'queue', 'sandbox', 'vendors', 'repo'];

async function main(): Promise<void> {
  const only = flagValue('--only')?.split(',');
  const chosen = only ? BENCHES.filter((name) => only.includes(name)) : BENCHES;
  const passOn = withoutOnly(process.argv.slice(2));
  await ensureBuilt();
  let failures = 0;
  for (const name of chosen) {
    console.log(`\n===== bench/${name}.ts =====`);
    const code = await runBench(name, passOn);
    if (code !== 0) {
      failures += 1;
      console.log(`bench/${name}.ts exited with code ${code}`);
    }
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

function runBench(name: string, args: string[]): Promise<number | null> {
  const tsx = path.join(repoRoot, 'node_modules', '.bin', 'tsx');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [path.join(repoRoot, 'bench', `${name}.ts`), ...args], { cwd: repoRoot, stdio: 'inherit', env: process.env });
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
}

function withoutOnly(args: string[]): string[] {
  const index = args.indexOf('--only');
  return index === -1 ? args : [...args.slice(0, index), ...args.slice(index + 2)];
}

await main();
