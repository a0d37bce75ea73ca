// How a prompt reaches an agent's process: as an argument when it can be one, else on stdin.
// Shared by every adapter that takes the prompt as an argument.

import { hasRawBytes } from '../text/raw-bytes.js';

/** Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN); stay well below it. */
const MAX_PROMPT_ARG_BYTES = 100 * 1024;

/**
 * A prompt too long for one argument, holding a NUL byte (no argument can) or bytes that are not
 * UTF-8 (Node encodes every argument as UTF-8, see raw-bytes.ts) is sent on stdin, byte for byte.
 */
export function promptGoesOnStdin(prompt: string): boolean {
  return prompt.includes('\0') || hasRawBytes(prompt) || Buffer.byteLength(prompt, 'utf8') > MAX_PROMPT_ARG_BYTES;
}
