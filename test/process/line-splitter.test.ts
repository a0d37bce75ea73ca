import { describe, expect, it } from 'vitest';
import { LineSplitter, TailBuffer } from '../../src/process/line-splitter.js';

function split(chunks: Buffer[], maxLineBytes = 1024) {
  const lines: string[] = [];
  const oversized: number[] = [];
  const splitter = new LineSplitter({ maxLineBytes, onLine: (line) => lines.push(line), onOversized: (bytes) => oversized.push(bytes) });
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return { lines, oversized };
}

describe('LineSplitter', () => {
  it('joins a line split across chunks, including inside a multi-byte character', () => {
    const text = Buffer.from('{"result":"héllo"}\nnext\n');
    const { lines } = split([text.subarray(0, 13), text.subarray(13, 14), text.subarray(14)]);
    expect(lines).toEqual(['{"result":"héllo"}', 'next']);
  });

  it('emits a last line without a newline and strips CR', () => {
    expect(split([Buffer.from('a\r\nb')]).lines).toEqual(['a', 'b']);
  });

  it('drops a line over the limit without keeping it, and goes on after it', () => {
    const big = Buffer.alloc(5000, 0x78);
    const { lines, oversized } = split([Buffer.from('before\n'), big, big, Buffer.from('\nafter\n')], 1024);
    expect(lines).toEqual(['before', 'after']);
    expect(oversized).toEqual([10_000]);
  });

  it('replaces invalid UTF-8 instead of throwing', () => {
    expect(split([Buffer.from([0xff, 0xfe, 0x41, 0x0a])]).lines).toEqual(['\uFFFD\uFFFDA']);
  });
});

describe('TailBuffer', () => {
  it('keeps only the last bytes', () => {
    const tail = new TailBuffer(8);
    tail.push(Buffer.from('0123456789'));
    tail.push(Buffer.from('abc'));
    expect(tail.toString()).toBe('56789abc');
  });
});
