import { describe, expect, it } from 'vitest';
import { argvWithRawBytes } from '../../src/cli/raw-argv.js';
import { encodeRawBytes } from '../../src/text/raw-bytes.js';

const cmdline =
  (...args: Array<string | Buffer>) =>
  () =>
    Buffer.concat(args.flatMap((arg) => [Buffer.from(arg), Buffer.of(0)]));
const latin1Cafe = Buffer.from([0x63, 0x61, 0x66, 0xe9]);

describe('argvWithRawBytes', () => {
  it('gives back the original bytes of an argument Node decoded with U+FFFD', () => {
    const argv = ['/usr/bin/node', '/x/main.js', 'spawn', 'caf\uFFFD', '-n', '2'];
    const recovered = argvWithRawBytes(argv, cmdline('node', '--cpu-prof', '/x/main.js', 'spawn', latin1Cafe, '-n', '2'));
    expect(recovered.slice(0, 3)).toEqual(argv.slice(0, 3));
    expect([...encodeRawBytes(recovered[3]!)]).toEqual([...latin1Cafe]);
    expect(recovered.slice(4)).toEqual(['-n', '2']);
  });

  it('does not read /proc when every argument is intact', () => {
    const argv = ['node', 'main.js', 'spawn', 'café'];
    expect(
      argvWithRawBytes(argv, () => {
        throw new Error('read');
      }),
    ).toEqual(argv);
  });

  it('keeps what Node saw when cmdline does not line up or cannot be read', () => {
    const argv = ['node', 'main.js', 'spawn', 'caf\uFFFD'];
    expect(argvWithRawBytes(argv, cmdline('node', 'main.js', 'spawn', 'other'))).toEqual(argv);
    expect(
      argvWithRawBytes(argv, () => {
        throw new Error('no /proc');
      }),
    ).toEqual(argv);
  });
});
