// Build: tsc compiles the library (dist/, with .d.ts) and esbuild bundles the `herd` CLI
// into dist/cli/main.js plus lazily loaded chunks.
//
// Why bundle the CLI: unbundled, `herd spawn` resolved and compiled ~220 ES modules (106 of
// them execa's) before the first agent could start: 340 ms from exec to the first spawn, all
// of it CPU that competes with claude's own CPU-bound start-up on small machines. One bundle
// starts the first agent after ~220 ms (bench/spawn.ts measures the difference end to end).
// Commands that need zod, yaml or the HTML report still load them lazily (code splitting).
// Plain JavaScript so it runs before anything is compiled (`npm ci` runs `prepare`).

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliDir = path.join(root, 'dist', 'cli');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));

rmSync(path.join(root, 'dist'), { recursive: true, force: true });
// Resolved like an import, so hoisted or nested node_modules layouts work too.
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

await build({
  entryPoints: { main: path.join(root, 'src', 'cli', 'main.ts') },
  outdir: cliDir,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // CommonJS dependencies (fs-extra, cross-spawn, ...) call require(); an ES module has none.
  banner: { js: "import { createRequire as __herdCreateRequire } from 'node:module'; const require = __herdCreateRequire(import.meta.url);" },
  // The package's own version, not npm_package_version (under npx that is the user's project).
  define: { __HERD_VERSION__: JSON.stringify(version) },
});
chmodSync(path.join(cliDir, 'main.js'), 0o755);

// The herd ui page: one script for the browser (no CDN, nothing fetched at view time), with
// its HTML shell and style sheet beside it in dist/ui/.
const uiDir = path.join(root, 'dist', 'ui');
await build({
  entryPoints: { app: path.join(root, 'src', 'ui', 'web', 'app.ts') },
  outdir: uiDir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
  tsconfig: path.join(root, 'src', 'ui', 'web', 'tsconfig.json'),
});
for (const file of ['index.html', 'style.css']) copyFileSync(path.join(root, 'src', 'ui', 'web', file), path.join(uiDir, file));
