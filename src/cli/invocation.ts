// How the person typed herd, so every hint herd prints (continue with ..., see ...) can be
// pasted back as it is. After `npm install` the binary sits in node_modules/.bin, which is
// not on PATH: there only `npx herd` works, and a hint saying `herd` would fail.

import path from 'node:path';

/**
 * `npx herd` when the script runs from a node_modules/.bin directory (npx, npm exec, npm
 * scripts: none of them leave it on the user's PATH), `herd` for an executable named herd
 * elsewhere (a global install or `npm link`), else `node <script>` as it was run.
 */
export function herdCommand(script: string | undefined = process.argv[1], cwd: string = process.cwd()): string {
  if (script === undefined) return 'herd';
  const segments = path.resolve(cwd, script).split(path.sep);
  if (segments.some((segment, index) => segment === 'node_modules' && segments[index + 1] === '.bin')) return 'npx herd';
  if (path.basename(script) === 'herd') return 'herd';
  const relative = path.relative(cwd, path.resolve(cwd, script));
  const shown = relative.startsWith('..') || path.isAbsolute(relative) ? path.resolve(cwd, script) : relative;
  return `node ${/^[\w./-]+$/.test(shown) ? shown : JSON.stringify(shown)}`;
}

/** A message from a lower layer names commands as `herd <command>` (in backticks): say them the way herd was run. */
export function withHerdCommand(message: string, herd: string = herdCommand()): string {
  return herd === 'herd' ? message : message.replace(/`herd /g, `\`${herd} `);
}
