// herd's own version. The build (scripts/build.mjs) defines __HERD_VERSION__ from package.json;
// run from source (tsx), package.json is read instead. Never npm_package_version: under npx
// that is the version of whatever project the user stands in.

import { createRequire } from 'node:module';

declare const __HERD_VERSION__: string | undefined;

export function herdVersion(): string {
  if (typeof __HERD_VERSION__ === 'string') return __HERD_VERSION__;
  const manifest = createRequire(import.meta.url)('../../package.json') as { version: string };
  return manifest.version;
}
