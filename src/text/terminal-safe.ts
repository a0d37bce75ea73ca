// Text on its way to a terminal. An agent's output is data, but a terminal obeys what it
// reads: ESC ] 0;... sets the window title, ESC [2J clears the screen, OSC 52 writes the
// clipboard, and bidi overrides make text read differently than it is. Everything herd
// prints for a person goes through terminalSafe() once, at the print boundary (cli/output.ts,
// and the live area's agent text in progress/); run.json, events and --json keep the raw text.

/** CSI sequences (colours, cursor moves, clears), 7-bit and 8-bit: dropped whole, they mean nothing as text. */
const CSI = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]/g;
/** Every other control: C0 but newline and tab, DEL, C1, and the bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates). */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` with no character a terminal would act on: CSI sequences removed, every other
 * control shown by a visible stand-in of one column (ESC as ␛, BEL as ␇, C1 and bidi controls
 * as �), so an OSC or other sequence is left as inert text a person can still read.
 */
export function terminalSafe(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(CSI, '').replace(UNSAFE, standIn);
}

function standIn(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return '\ufffd';
}

/** What JSON.stringify leaves as is but a terminal may act on: DEL, C1, bidi controls (and U+2028/9). */
const UNESCAPED_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

/**
 * JSON text (--json, --events) with those characters written as \u escapes: the same JSON
 * value (a program reads the raw text), nothing a terminal obeys. They can only sit inside
 * strings, where an escape means the same character.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(UNESCAPED_BY_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
