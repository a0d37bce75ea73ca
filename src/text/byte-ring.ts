// The last bytes of a stream in a fixed-size ring: memory stays at the capacity however much
// the stream carries, and a push copies only the pushed bytes (at most the capacity), never
// what is already kept. herd keeps the answer of a plain-stdout agent this way: the old
// tail-as-string copied the whole 64 KiB tail for every line printed.

/** Bytes 10xxxxxx continue a UTF-8 character; a character is at most 4 bytes. */
const isContinuationByte = (byte: number) => (byte & 0xc0) === 0x80;
const MAX_CONTINUATION_BYTES = 3;

export class ByteRing {
  /** Allocated at the first byte: an agent that prints nothing costs nothing. */
  private buffer: Buffer | undefined;
  /** Where the next byte goes. */
  private end = 0;
  private held = 0;
  private total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ByteRing capacity must be a whole number above 0, got ${capacity}`);
  }

  push(chunk: Uint8Array): void {
    const length = chunk.length;
    if (length === 0) return;
    this.total += length;
    const buffer = (this.buffer ??= Buffer.allocUnsafe(this.capacity));
    if (length >= this.capacity) {
      buffer.set(chunk.subarray(length - this.capacity));
      this.end = 0;
      this.held = this.capacity;
      return;
    }
    const first = Math.min(length, this.capacity - this.end);
    buffer.set(chunk.subarray(0, first), this.end);
    if (first < length) buffer.set(chunk.subarray(first), 0);
    this.end = (this.end + length) % this.capacity;
    this.held = Math.min(this.capacity, this.held + length);
  }

  /** Every byte pushed so far, kept or not. */
  get totalBytes(): number {
    return this.total;
  }

  /** Bytes pushed out of the ring by later ones. */
  get droppedBytes(): number {
    return this.total - this.held;
  }

  /** The kept bytes, oldest first (a copy). */
  bytes(): Buffer {
    if (this.buffer === undefined) return Buffer.alloc(0);
    const start = (this.end - this.held + this.capacity) % this.capacity;
    if (start + this.held <= this.capacity) return Buffer.from(this.buffer.subarray(start, start + this.held));
    return Buffer.concat([this.buffer.subarray(start), this.buffer.subarray(0, this.end)], this.held);
  }

  /**
   * The kept bytes as UTF-8 text. Where older bytes were dropped, the ring may begin inside a
   * character: its leftover continuation bytes are left out rather than shown as U+FFFD.
   */
  toString(): string {
    const bytes = this.bytes();
    let skip = 0;
    if (this.droppedBytes > 0) while (skip < MAX_CONTINUATION_BYTES && skip < bytes.length && isContinuationByte(bytes[skip]!)) skip += 1;
    return bytes.toString('utf8', skip);
  }
}
