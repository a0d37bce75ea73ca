// Splits a byte stream into lines without ever holding more than `maxLineBytes` of one
// line: an agent that prints a 50 MB line or binary garbage must not grow herd's memory.

export interface LineSplitterOptions {
  maxLineBytes: number;
  onLine: (line: string) => void;
  /** Called once per line that was longer than the limit (its content is dropped). */
  onOversized?: (bytesSeen: number) => void;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export class LineSplitter {
  /** The start of a line whose end has not arrived yet (copied: a chunk's memory may be reused). */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** True while inside a line that already went over the limit: drop until its newline. */
  private skipping = false;
  private skippedBytes = 0;

  constructor(private readonly options: LineSplitterOptions) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let index = chunk.indexOf(NEWLINE); index !== -1; index = chunk.indexOf(NEWLINE, start)) {
      // Most lines lie whole inside one chunk: decode them where they are, with no copy.
      if (this.pendingBytes === 0 && !this.skipping && index - start <= this.options.maxLineBytes) this.emit(chunk, start, index);
      else {
        this.take(chunk.subarray(start, index));
        this.endLine();
      }
      start = index + 1;
    }
    if (start < chunk.length) this.take(chunk.subarray(start));
  }

  /** Emit what is left as a last line (a stream may end without a newline). */
  end(): void {
    if (this.pendingBytes > 0 || this.skipping) this.endLine();
  }

  private take(part: Buffer): void {
    if (part.length === 0) return;
    if (this.skipping) {
      this.skippedBytes += part.length;
      return;
    }
    if (this.pendingBytes + part.length > this.options.maxLineBytes) {
      this.skipping = true;
      this.skippedBytes = this.pendingBytes + part.length;
      this.pending = [];
      this.pendingBytes = 0;
      return;
    }
    // Copy: the chunk's memory may be reused by the stream after this call.
    this.pending.push(Buffer.from(part));
    this.pendingBytes += part.length;
  }

  private endLine(): void {
    if (this.skipping) {
      this.options.onOversized?.(this.skippedBytes);
      this.skipping = false;
      this.skippedBytes = 0;
      return;
    }
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.emit(line, 0, line.length);
  }

  /** Bytes start..end are one line without its newline; a CR before the newline is CRLF's, not the line's. */
  private emit(bytes: Buffer, start: number, end: number): void {
    const last = end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    this.options.onLine(bytes.toString('utf8', start, last));
  }
}

/** Keeps the last `maxBytes` of a stream as text, for error messages. */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(Buffer.from(chunk));
    this.bytes += chunk.length;
    // Drop whole chunks only while what remains still covers the last maxBytes.
    while (this.chunks.length > 1 && this.bytes - this.chunks[0]!.length >= this.maxBytes) {
      this.bytes -= this.chunks.shift()!.length;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.maxBytes)).toString('utf8');
  }

  /** True when more was pushed than is kept: the text starts somewhere inside the stream. */
  get cut(): boolean {
    return this.bytes > this.maxBytes;
  }
}
