import { describe, expect, it } from 'vitest';
import { decodeRawBytes, encodeRawBytes, hasRawBytes } from '../../src/text/raw-bytes.js';

const roundTrip = (bytes: number[]) => encodeRawBytes(decodeRawBytes(Uint8Array.from(bytes)));

describe('raw bytes in strings', () => {
  it('decodes valid UTF-8 as usual and marks nothing', () => {
    const text = decodeRawBytes(Buffer.from('café — 日本 🐟', 'utf8'));
    expect(text).toBe('café — 日本 🐟');
    expect(hasRawBytes(text)).toBe(false);
  });

  it.each([
    ['a Latin-1 é', [0x63, 0x61, 0x66, 0xe9]],
    ['a lone continuation byte', [0x80, 0x41]],
    ['an overlong slash', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ['a sequence cut short at the end', [0x41, 0xe6, 0x97]],
    ['a code point above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['every byte value', Array.from({ length: 256 }, (_, value) => value)],
    ['valid UTF-8 around garbage', [...Buffer.from('日'), 0xff, 0xfe, ...Buffer.from('🐟'), 0xc3]],
  ])('gives back exactly the bytes of %s', (_name, bytes) => {
    expect([...roundTrip(bytes)]).toEqual(bytes);
    expect(hasRawBytes(decodeRawBytes(Uint8Array.from(bytes)))).toBe(true);
  });

  it('decodes well-formed stretches as text and only the bad bytes as escapes', () => {
    const bytes = Uint8Array.from([...Buffer.from('日'), 0xff, ...Buffer.from('🐟 café'), 0xe9, 0x41, 0xe6, 0x97]);
    expect(decodeRawBytes(bytes)).toBe('日\udcff🐟 café\udce9A\udce6\udc97');
    expect(decodeRawBytes(Uint8Array.from([0xc0, 0xaf]))).toBe('\udcc0\udcaf');
  });

  it('keeps the escapes through JSON, as run.json stores prompts', () => {
    const text = decodeRawBytes(Uint8Array.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const stored = JSON.stringify({ prompt: text });
    expect(stored).toContain('\\udce9');
    expect([...encodeRawBytes((JSON.parse(stored) as { prompt: string }).prompt)]).toEqual([0x63, 0x61, 0x66, 0xe9, 0x0a]);
  });

  it('leaves a surrogate pair (an emoji) alone', () => {
    expect(hasRawBytes('🐟')).toBe(false);
    expect(encodeRawBytes('🐟').toString('utf8')).toBe('🐟');
  });
});
