// The one place that finds and starts a headless Chromium for herd's browser tests (the HTML
// report, later the dashboard) and for `npm run report:screenshot`, through playwright-core,
// which downloads no browser of its own.
//
// Which browser, first match wins:
//   1. HERD_CHROMIUM=<path>: that binary (a system Chromium or Chrome); it must exist.
//   2. The Chromium inside the devDependency @sparticuz/chromium (Linux x64): `npm install`
//      is all a fresh machine needs. Its brotli archives are unpacked once per version into
//      node_modules/.cache/herd-chromium/<version>/ (see unpackBundled for why not /tmp).
//   3. A system Chromium or Chrome at a usual path (other platforms, or the package left out).
// None found is an error naming what to install: a browser test never skips silently.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Flags for a quiet, offline, sandbox-less (root in CI) system browser. */
const SYSTEM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * Flags of the bundled build that would weaken what the report tests check (that nothing
 * in a report reaches out or runs): the package adds them for scraping, not for us.
 */
// Also dropped: --single-process and --no-zygote, with which closing one page ends the whole
// browser (a test that opens and closes pages, like the dashboard's, needs several).
const UNWANTED_BUNDLED_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process', '--no-zygote']);

const SYSTEM_PATHS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export interface FoundChromium {
  executablePath: string;
  args: string[];
  /** Where it came from, for messages: 'HERD_CHROMIUM', '@sparticuz/chromium <version>' or 'system'. */
  source: string;
}

const NONE_FOUND =
  'no Chromium for the browser tests: run `npm install` (the devDependency @sparticuz/chromium ships one for Linux x64), ' +
  'or install Chromium or Chrome (Debian: apt-get install -y chromium) and, if it is not at a usual path, set HERD_CHROMIUM=/path/to/chromium';

let found: Promise<FoundChromium> | undefined;

/** The browser to use (memoized: one unpacking per process however many tests ask). */
export function findChromium(): Promise<FoundChromium> {
  found ??= locateChromium();
  return found;
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args, source } = await findChromium();
  try {
    return await chromium.launch({ executablePath, args, headless: true });
  } catch (error) {
    throw new Error(`could not start Chromium from ${source} (${executablePath}): ${(error as Error).message}`, { cause: error });
  }
}

export interface LocateOptions {
  env?: NodeJS.ProcessEnv;
  /** False: act as if @sparticuz/chromium were not installed (tests of the fallbacks). */
  bundled?: boolean;
  systemPaths?: readonly string[];
}

/** The search itself, unmemoized (findChromium is what tests and scripts call). */
export async function locateChromium(options: LocateOptions = {}): Promise<FoundChromium> {
  const chosen = (options.env ?? process.env).HERD_CHROMIUM;
  if (chosen) {
    if (!existsSync(chosen))
      throw new Error(`HERD_CHROMIUM=${chosen}: no such file. Point it at a Chromium or Chrome binary, or unset it to use @sparticuz/chromium`);
    return { executablePath: chosen, args: SYSTEM_ARGS, source: 'HERD_CHROMIUM' };
  }
  const canBundle = options.bundled !== false && process.platform === 'linux' && process.arch === 'x64';
  const bundled = canBundle ? await unpackBundled() : undefined;
  if (bundled) return bundled;
  const system = (options.systemPaths ?? SYSTEM_PATHS).find((candidate) => existsSync(candidate));
  if (system) return { executablePath: system, args: SYSTEM_ARGS, source: 'system' };
  throw new Error(NONE_FOUND);
}

interface SparticuzModule {
  default: { executablePath(input?: string): Promise<string>; readonly args: string[] };
}

/**
 * The package would unpack into os.tmpdir() itself, as /tmp/chromium, and take any file of
 * that name it finds there as done. Here that is wrong three ways: a second test process
 * unpacking at the same time would start a half-written binary; an unpacking cut short
 * stays "done" forever; and, run as root, /tmp/chromium may have been put there by any
 * local user. So each process unpacks into a fresh directory of its own next to the
 * checkout's node_modules and renames it into place; rename is atomic, the first finished
 * wins, later ones drop theirs. The result is reused until the package version changes.
 */
async function unpackBundled(): Promise<FoundChromium | undefined> {
  const packageDir = bundledPackageDir();
  if (!packageDir) return undefined;
  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const { default: sparticuz } = (await import('@sparticuz/chromium')) as SparticuzModule;
  const source = `@sparticuz/chromium ${version}`;
  const args = sparticuz.args.filter((arg) => !UNWANTED_BUNDLED_ARGS.has(arg));
  const cacheRoot = path.join(packageDir, '..', '..', '.cache', 'herd-chromium');
  const target = path.join(cacheRoot, version);
  const executablePath = path.join(target, 'chromium');
  if (existsSync(executablePath)) return { executablePath, args, source };

  await mkdir(cacheRoot, { recursive: true });
  await removeAbandoned(cacheRoot);
  const staging = await mkdtemp(path.join(cacheRoot, `${version}.unpacking-`));
  try {
    const unpacked = await unpackInto(sparticuz, staging);
    if (unpacked !== path.join(staging, 'chromium')) throw new Error(`${source} unpacked to ${unpacked}, expected ${staging}`);
    await rename(staging, target).catch((error: NodeJS.ErrnoException) => {
      // Another process renamed its complete copy into place first: use that one.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { executablePath, args, source };
}

/** Unpackings cut short (a killed test run) leave their directory; one older than this is abandoned. */
const ABANDONED_AFTER_MS = 10 * 60_000;

async function removeAbandoned(cacheRoot: string): Promise<void> {
  for (const name of await readdir(cacheRoot)) {
    if (!name.includes('.unpacking-')) continue;
    const dir = path.join(cacheRoot, name);
    const age = Date.now() - (await stat(dir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > ABANDONED_AFTER_MS) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The package reads os.tmpdir() (that is, $TMPDIR) only in the synchronous part of
 * executablePath(), where it picks every output path and opens every output stream; so
 * $TMPDIR points at our directory for exactly that call and is put back before awaiting.
 */
function unpackInto(sparticuz: SparticuzModule['default'], dir: string): Promise<string> {
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  try {
    return sparticuz.executablePath();
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

function bundledPackageDir(): string | undefined {
  try {
    // Resolves to build/index.js inside the package; the package is the parent of build/.
    return path.resolve(path.dirname(createRequire(import.meta.url).resolve('@sparticuz/chromium')), '..');
  } catch {
    return undefined;
  }
}
