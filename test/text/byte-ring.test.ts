import { describe, expect, it } from 'vitest';
import { ByteRing } from '../../src/text/byte-ring.js';

/** Push `text` in pieces of `size` bytes (pieces may split characters). */
function pushInPieces(ring: ByteRing, bytes: Buffer, size: number): void {
  for (let start = 0; start < bytes.length; start += size) ring.push(bytes.subarray(start, start + size));
}

describe('ByteRing', () => {
  it('holds everything until it is full, then exactly the last capacity bytes', () => {
    const ring = new ByteRing(8);
    ring.push(Buffer.from('abc'));
    expect(ring.toString()).toBe('abc');
    ring.push(Buffer.from('defgh'));
    expect(ring.toString()).toBe('abcdefgh');
    ring.push(Buffer.from('ij'));
    expect(ring.toString()).toBe('cdefghij');
    expect([ring.totalBytes, ring.droppedBytes]).toEqual([10, 2]);
  });

  it('keeps the exact tail across many wraps, whatever the piece sizes', () => {
    const stream = Buffer.from(Array.from({ length: 5000 }, (_, index) => String.fromCharCode(33 + ((index * 7) % 90))).join(''));
    for (const capacity of [1, 7, 64, 1000]) {
      for (const size of [1, 3, capacity - 1 || 1, capacity, capacity + 5, 4999]) {
        const ring = new ByteRing(capacity);
        pushInPieces(ring, stream, size);
        expect(ring.bytes().equals(stream.subarray(stream.length - capacity)), `capacity ${capacity}, pieces of ${size}`).toBe(true);
      }
    }
  });

  it('takes a push larger than the ring by keeping its end', () => {
    const ring = new ByteRing(4);
    ring.push(Buffer.from('xy'));
    ring.push(Buffer.from('0123456789'));
    expect(ring.toString()).toBe('6789');
    ring.push(Buffer.from('ab'));
    expect(ring.toString()).toBe('89ab');
  });

  it('does not grow: memory is the capacity however much is pushed', () => {
    const ring = new ByteRing(1024);
    const chunk = Buffer.alloc(700, 0x61);
    const before = process.memoryUsage().arrayBuffers;
    for (let index = 0; index < 20_000; index++) ring.push(chunk);
    expect(ring.totalBytes).toBe(14_000_000);
    expect(ring.bytes()).toHaveLength(1024);
    // 14 MB went through; a ring that kept (or copied per push into new) buffers would show here.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1024 * 1024);
  });

  it('never starts with half a character where the start was cut off', () => {
    // 2-, 3- and 4-byte characters, cut at every possible byte by rings of every small size.
    const text = 'é€😀'.repeat(50);
    const bytes = Buffer.from(text);
    for (let capacity = 1; capacity <= 16; capacity++) {
      const ring = new ByteRing(capacity);
      pushInPieces(ring, bytes, 5);
      const tail = ring.toString();
      expect(tail, `capacity ${capacity}`).not.toContain('\uFFFD');
      expect(text.endsWith(tail), `capacity ${capacity}`).toBe(true);
      // At most one character (4 bytes) is lost to the cut.
      expect(Buffer.byteLength(tail)).toBeGreaterThan(capacity - 4);
    }
  });

  it('keeps characters split between pushes and across the wrap intact', () => {
    const ring = new ByteRing(10);
    const bytes = Buffer.from('aé€😀b');
    for (const byte of bytes) ring.push(Buffer.from([byte]));
    expect(ring.toString()).toBe('é€😀b');
    expect(ring.bytes().equals(bytes.subarray(bytes.length - 10))).toBe(true);
  });

  it('leaves invalid bytes of the stream itself visible when nothing was dropped', () => {
    const ring = new ByteRing(16);
    ring.push(Buffer.from([0x80, 0x41]));
    expect(ring.toString()).toBe('\uFFFDA');
  });

  it('is empty before the first byte and refuses a capacity below 1', () => {
    expect(new ByteRing(4).toString()).toBe('');
    expect(new ByteRing(4).totalBytes).toBe(0);
    expect(() => new ByteRing(0)).toThrow(RangeError);
  });
});
