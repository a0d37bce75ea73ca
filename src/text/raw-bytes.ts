// Prompts that are not valid UTF-8, carried losslessly in ordinary strings.
//
// Node turns argv and files into strings and replaces every byte that is not UTF-8 with
// U+FFFD, so a Latin-1 prompt would reach the agent changed. Instead each such byte b is kept
// as the lone surrogate U+DC00+b (Python's "surrogateescape"): valid UTF-8 never decodes to
// a lone surrogate, so the mapping is reversible, the string flows through herd unchanged,
// and JSON (run.json, events) stores it exactly ("\udce9"). encodeRawBytes() turns it back into
// the original bytes where the prompt leaves herd (stdin of the agent).

import { isUtf8 } from 'node:buffer';

/** A lone low surrogate in U+DC80..U+DCFF: an escaped non-UTF-8 byte. */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;
const ESCAPED_BYTE_GLOBAL = new RegExp(ESCAPED_BYTE.source, 'g');

/** Bytes to a string, keeping every byte that is not UTF-8 as an escape (lossless). */
export function decodeRawBytes(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return buffer.toString('utf8');
  // Each stretch of well-formed UTF-8 is decoded in one call; each byte between them is escaped.
  const parts: string[] = [];
  let runStart = 0;
  let index = 0;
  while (index < buffer.length) {
    const length = utf8SequenceLength(buffer, index);
    if (length > 0) {
      index += length;
      continue;
    }
    parts.push(buffer.toString('utf8', runStart, index), String.fromCharCode(0xdc00 + buffer[index]!));
    index += 1;
    runStart = index;
  }
  parts.push(buffer.toString('utf8', runStart, index));
  return parts.join('');
}

/** The string's bytes: UTF-8, with every escaped byte written back as itself. */
export function encodeRawBytes(text: string): Buffer {
  if (!hasRawBytes(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let last = 0;
  for (const match of text.matchAll(ESCAPED_BYTE_GLOBAL)) {
    parts.push(Buffer.from(text.slice(last, match.index), 'utf8'), Buffer.of(match[0].charCodeAt(0) - 0xdc00));
    last = match.index + 1;
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'));
  return Buffer.concat(parts);
}

/** True when the string holds bytes that are not UTF-8 (an argument would change them). */
export function hasRawBytes(text: string): boolean {
  return ESCAPED_BYTE.test(text);
}

/** Length of the well-formed UTF-8 sequence at `index`, or 0 if the byte there starts none. */
function utf8SequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index]!;
  if (lead < 0x80) return 1;
  // Allowed ranges for the second byte by lead byte (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) length = 2;
  else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    if (lead === 0xe0) low = 0xa0;
    if (lead === 0xed) high = 0x9f;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    if (lead === 0xf0) low = 0x90;
    if (lead === 0xf4) high = 0x8f;
  } else return 0;
  if (index + length > bytes.length) return 0;
  const second = bytes[index + 1]!;
  if (second < low || second > high) return 0;
  for (let offset = 2; offset < length; offset++) {
    const next = bytes[index + offset]!;
    if (next < 0x80 || next > 0xbf) return 0;
  }
  return length;
}
