// Command-line arguments with their bytes intact. Node decodes argv as UTF-8 and puts U+FFFD
// in place of every other byte, so `herd spawn "$(printf 'caf\xe9')"` would reach the agent
// changed. On Linux the original bytes are in /proc/self/cmdline; they are decoded with
// raw-bytes.ts (lossless) and used only where they line up with what Node saw.

import { readFileSync } from 'node:fs';
import { decodeRawBytes } from '../text/raw-bytes.js';

/** process.argv, with each argument Node had to alter replaced by its exact original. */
export function argvWithRawBytes(argv: readonly string[], readCmdline: () => Buffer = () => readFileSync('/proc/self/cmdline')): string[] {
  // Fast path: nothing was replaced, so there is nothing to recover (the common case).
  if (!argv.some((arg) => arg.includes('\uFFFD'))) return [...argv];
  let raw: Buffer[];
  try {
    raw = splitNulTerminated(readCmdline());
  } catch {
    return [...argv];
  }
  // cmdline is node, its own flags, the script, then the arguments: match the arguments from the end.
  const userArgs = argv.length - 2;
  const rawArgs = raw.slice(raw.length - userArgs);
  if (userArgs < 0 || rawArgs.length !== userArgs || rawArgs.some((bytes, index) => bytes.toString('utf8') !== argv[index + 2])) return [...argv];
  return [...argv.slice(0, 2), ...rawArgs.map(decodeRawBytes)];
}

function splitNulTerminated(buffer: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let end = buffer.indexOf(0); end !== -1; end = buffer.indexOf(0, start)) {
    parts.push(buffer.subarray(start, end));
    start = end + 1;
  }
  if (start < buffer.length) parts.push(buffer.subarray(start));
  return parts;
}
