// Shared pieces of the benchmarks: building dist/ once, running a child process with its
// wall time, the herd process's own CPU time (a preload that reports resourceUsage at
// exit), simple statistics, and tables printed both as text and as markdown for README.

import { spawn, type SpawnOptions } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const herdMain = path.join(repoRoot, 'dist', 'cli', 'main.js');

/** run-all.ts builds once and sets this, so each bench it starts does not build again. */
const BUILT_MARKER = 'HERD_BENCH_BUILT';

/** Benchmarks measure what ships (compiled dist/), so build first unless run-all already did. */
export async function ensureBuilt(): Promise<void> {
  if (process.env[BUILT_MARKER] === '1') return;
  process.stderr.write('building dist/ (npm run build) ...\n');
  const build = await runTimed('npm', ['run', '--silent', 'build'], { cwd: repoRoot });
  if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  process.env[BUILT_MARKER] = '1';
}

export interface TimedRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  wallMs: number;
}

/** Spawn without a shell, collect output, and time from spawn to exit with the monotonic clock. */
export function runTimed(file: string, args: readonly string[], options: SpawnOptions = {}): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs: performance.now() - started,
      });
    });
  });
}

export interface SelfUsage {
  /** CPU time of that node process itself (RUSAGE_SELF), excluding every child it waited for. */
  userMs: number;
  systemMs: number;
  maxRssMb: number;
}

/**
 * Node flags that make a node process write its own resource usage to `file` as it exits.
 * A preload rather than /usr/bin/time: `time` adds the CPU of waited-for children (the
 * agents), and what we want is the supervisor's own share.
 */
export function selfUsageFlags(file: string): string[] {
  const source = [
    'import { writeFileSync } from "node:fs";',
    `process.on("exit", () => { const u = process.resourceUsage(); writeFileSync(${JSON.stringify(file)}, JSON.stringify({ userMs: u.userCPUTime / 1000, systemMs: u.systemCPUTime / 1000, maxRssMb: u.maxRSS / 1024 })); });`,
  ].join('');
  return ['--import', `data:text/javascript,${encodeURIComponent(source)}`];
}

export async function readSelfUsage(file: string): Promise<SelfUsage> {
  return JSON.parse(await readFile(file, 'utf8')) as SelfUsage;
}

/** CPU time this process spent while `work` ran (user + system, in ms). */
export async function measureOwnCpu<T>(work: () => Promise<T>): Promise<{ value: T; cpuMs: number }> {
  const before = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(before);
  return { value, cpuMs: (used.user + used.system) / 1000 };
}

export async function withTempDir<T>(prefix: string, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export const fixed = (value: number, digits = 2): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const seconds = (ms: number): string => fixed(ms / 1000, 2);
export const megabytes = (bytes: number): string => fixed(bytes / (1024 * 1024), 1);

export interface Table {
  title: string;
  header: string[];
  rows: string[][];
  notes?: string[];
}

/** Aligned text for the terminal; numbers (anything starting with a digit) are right-aligned. */
export function renderText(table: Table): string {
  const widths = table.header.map((title, column) => Math.max(title.length, ...table.rows.map((row) => (row[column] ?? '').length)));
  const numeric = (cell: string) => /^[\d.+-]/.test(cell);
  const line = (row: string[]) => row.map((cell, column) => (numeric(cell) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ');
  return [table.title, line(table.header), ...table.rows.map(line), ...(table.notes ?? []).map((note) => `  ${note}`)].join('\n');
}

export function renderMarkdown(table: Table): string {
  const line = (row: string[]) => `| ${row.join(' | ')} |`;
  const rule = `|${table.header.map((_, column) => (column === 0 ? ' --- ' : ' ---: ')).join('|')}|`;
  return [`**${table.title}**`, '', line(table.header), rule, ...table.rows.map(line), '', ...(table.notes ?? []).map((note) => `- ${note}`)].join('\n');
}

/** Both renderings, the markdown one last so it can be copied from the end of the output. */
export function printTable(table: Table): void {
  console.log(`\n${renderText(table)}\n`);
  console.log(`${renderMarkdown(table)}\n`);
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  // The load average says whether other work shared the machine while this ran.
  const load = os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' ');
  return `${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 1024 ** 3)} GB RAM, node ${process.version}, ${os.platform()} ${os.release()}, load average ${load}`;
}

/**
 * Every flag any bench takes: `npm run bench -- <flags>` hands the same flags to each bench, so
 * each accepts them all. Named as in the herd CLI (`--simulate-latency`, not `--latency`).
 */
// Every flag any bench reads (run-all passes the same arguments to each of them).
const BENCH_FLAGS: Record<string, 'value' | 'switch'> = {
  '--n': 'value',
  '--rounds': 'value',
  '--runs': 'value',
  '--turns': 'value',
  '--delays': 'value',
  '--simulate-latency': 'value',
  '--only': 'value',
  '--agents': 'value',
  '--events': 'value',
  '--claude-runs': 'value',
  '--files': 'value',
  '--kill-rounds': 'value',
  '--line-bytes': 'value',
  '--mb': 'value',
  '--with-20': 'switch',
  '--all-at-once': 'switch',
  '--no-claude': 'switch',
};

let flagsChecked = false;

/** A misspelt flag would be ignored and the bench would measure something else: one line, exit 2. */
function checkFlags(argv: readonly string[] = process.argv.slice(2)): void {
  if (flagsChecked) return;
  flagsChecked = true;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    const kind = BENCH_FLAGS[arg];
    if (kind === 'value' && (argv[index + 1] === undefined || argv[index + 1]!.startsWith('--'))) failFlag(`option '${arg} <value>' argument missing`);
    if (kind === 'value') index += 1;
    else if (kind === undefined) failFlag(`unknown option '${arg}'`);
  }
}

function failFlag(message: string): never {
  const script = path.basename(process.argv[1] ?? 'bench');
  process.stderr.write(`${script}: ${message} (options: ${Object.keys(BENCH_FLAGS).join(', ')})\n`);
  process.exit(2);
}

/** `--name value` from argv, or undefined. */
export function flagValue(name: string): string | undefined {
  checkFlags();
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

export const hasFlag = (name: string): boolean => {
  checkFlags();
  return process.argv.includes(name);
};
