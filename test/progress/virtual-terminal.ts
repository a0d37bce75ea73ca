// A tiny terminal for renderer tests: a fixed-width stream that applies the few control
// sequences log-update sends (erase line, cursor up, cursor to column 1, SGR colours) to a
// screen of lines, so a test can check what a person would actually see, garbage included.

const ESCAPE = /^\u001b\[([0-9;?]*)([A-Za-z])/;

export class VirtualTerminal {
  readonly writes: string[] = [];
  private readonly screen: string[] = [''];
  private row = 0;
  private col = 0;
  /** Lines longer than the width that the terminal had to wrap. */
  wrapped = 0;
  /** Control characters that are not part of a known sequence. */
  garbage = 0;

  constructor(
    readonly columns = 80,
    readonly rows = 24,
  ) {}

  write(text: string): boolean {
    this.writes.push(text);
    let rest = text;
    while (rest.length > 0) {
      const match = ESCAPE.exec(rest);
      if (match) {
        this.apply(match[1] ?? '', match[2] ?? '');
        rest = rest.slice(match[0].length);
        continue;
      }
      const char = String.fromCodePoint(rest.codePointAt(0)!);
      rest = rest.slice(char.length);
      this.put(char);
    }
    return true;
  }

  /** The screen as text; trailing empty lines dropped. */
  text(): string {
    const lines = [...this.screen];
    while (lines.length > 0 && lines.at(-1) === '') lines.pop();
    return lines.join('\n');
  }

  lines(): string[] {
    return this.text().split('\n');
  }

  private put(char: string): void {
    if (char === '\n') {
      this.row += 1;
      this.col = 0;
      while (this.screen.length <= this.row) this.screen.push('');
      return;
    }
    if (char === '\r') {
      this.col = 0;
      return;
    }
    if (/[\u0000-\u001f\u007f]/.test(char)) {
      this.garbage += 1;
      return;
    }
    if (this.col >= this.columns) {
      this.wrapped += 1;
      this.put('\n');
    }
    const line = [...(this.screen[this.row] ?? '')];
    while (line.length < this.col) line.push(' ');
    line[this.col] = char;
    this.screen[this.row] = line.join('');
    this.col += 1;
  }

  private apply(params: string, command: string): void {
    switch (command) {
      case 'K': // erase line (log-update sends 2K: the whole line)
        this.screen[this.row] = '';
        return;
      case 'A':
        this.row = Math.max(0, this.row - Number(params || 1));
        return;
      case 'G':
        this.col = 0;
        return;
      case 'm':
      case 'h':
      case 'l':
        return; // colours and cursor visibility change nothing on the screen
      default:
        this.garbage += 1;
    }
  }
}

export function stripAnsi(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
