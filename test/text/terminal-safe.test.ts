import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeJson } from '../../src/text/terminal-safe.js';

/** Anything a terminal would act on: C0 but \n and \t, DEL, C1, bidi controls. */
const ACTIONABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('neutralises title, clear-screen, clipboard (OSC 52), C1 and bidi controls, keeping the text readable', () => {
    const hostile = [
      'title\u001b]0;pwned\u0007',
      'clear\u001b[2J\u001b[H',
      'clip\u001b]52;c;ZWNobyBoaQ==\u001b\\',
      'csi8\u009b31m',
      'rtl \u202egnp.exe',
      'iso\u2066x\u2069',
      'nul\u0000 del\u007f cr\rover',
    ].join('\n');
    const safe = terminalSafe(hostile);
    expect(safe).not.toMatch(ACTIONABLE);
    expect(safe.split('\n')).toEqual(['title␛]0;pwned␇', 'clear', 'clip␛]52;c;ZWNobyBoaQ==␛\\', 'csi8', 'rtl �gnp.exe', 'iso�x�', 'nul␀ del␡ cr␍over']);
  });

  it('keeps newlines, tabs, CRLF line ends (as \\n) and ordinary Unicode', () => {
    expect(terminalSafe('a\tb\r\nc\nd é 漢字 🙂')).toBe('a\tb\nc\nd é 漢字 🙂');
  });

  it('is idempotent', () => {
    const once = terminalSafe('x\u001b]0;t\u0007\u202e');
    expect(terminalSafe(once)).toBe(once);
  });
});

describe('terminalSafeJson', () => {
  it('escapes what JSON.stringify leaves raw (C1, bidi), so the JSON means the same and holds no control', () => {
    const value = { text: 'csi8\u009b31m rtl \u202egnp.exe esc\u001b[2J del\u007f ls\u2028' };
    const json = terminalSafeJson(JSON.stringify(value));
    expect(json).not.toMatch(ACTIONABLE);
    expect(JSON.parse(json)).toEqual(value);
  });
});
