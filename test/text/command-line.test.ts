import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/text/command-line.js';

describe('splitting a command line into words without a shell', () => {
  it('splits on blanks and keeps quoted text together', () => {
    expect(splitCommandLine('npm test')).toEqual(['npm', 'test']);
    expect(splitCommandLine(`  node -e 'console.log("a b")'  "x y" z\\ w ""`)).toEqual(['node', '-e', 'console.log("a b")', 'x y', 'z w', '']);
    expect(splitCommandLine('say "a \\"quoted\\" word"')).toEqual(['say', 'a "quoted" word']);
  });

  it('expands nothing a shell would', () => {
    expect(splitCommandLine('echo $HOME *.ts ~')).toEqual(['echo', '$HOME', '*.ts', '~']);
  });

  it('says what is wrong with an unclosed quote or an empty command', () => {
    expect(splitCommandLine(`echo 'oops`)).toEqual({ error: `unclosed single quote in "echo 'oops"` });
    expect(splitCommandLine('   ')).toEqual({ error: 'the command is empty' });
  });
});
