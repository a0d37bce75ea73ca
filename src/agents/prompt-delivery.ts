// How a prompt reaches an agent's process: as an argument when it can be one, else on stdin.
// Shared by every adapter that takes the prompt as an argument.
//
// The NUL rule: no argument and no environment variable can hold a NUL byte, only stdin can.
// claude gets a prompt with NUL on stdin by itself; a command agent only with promptStdin
// (and promptArg: false). A task that breaks the rule is refused up front (options.ts,
// findNulByte: exit 2); a prompt that breaks it only once filled at start (a dependency's
// output holding a NUL) fails that agent before it starts, with the reason (describeNulByte).

import type { CommandSpec } from './adapter.js';
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

/** Why this command cannot start because of a NUL byte in its arguments or environment, or undefined. */
export function describeNulByte(spec: CommandSpec, prompt: string): string | undefined {
  const hasNul = (text: string | undefined) => text?.includes('\0') === true;
  const inSpec = hasNul(spec.file) || spec.args.some(hasNul) || Object.entries(spec.env).some(([name, value]) => hasNul(name) || hasNul(value));
  if (!inSpec) return undefined;
  if (hasNul(prompt))
    return "the prompt holds a NUL byte (from a dependency's output or a variable filled into it?), which no argument or environment variable can carry; a command agent gets it on stdin with promptStdin: true and promptArg: false";
  return 'an argument or environment variable of the agent holds a NUL byte, which none can carry';
}
