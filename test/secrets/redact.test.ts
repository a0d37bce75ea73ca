import { describe, expect, it } from 'vitest';
import { createRedactor, REDACTED, redactEnvMap, redactJson } from '../../src/secrets/redact.js';

describe('createRedactor', () => {
  it('removes the values of secret-named variables, whatever characters they hold', () => {
    const redact = createRedactor({ ANTHROPIC_API_KEY: 'abc.def+(ghi)*$1', GITHUB_TOKEN: 'ghp_123456', HOME: '/home/me' });
    expect(redact('key abc.def+(ghi)*$1 and ghp_123456 in /home/me')).toBe(`key ${REDACTED} and ${REDACTED} in /home/me`);
    // Regex characters in a secret are literal: "abcXdef" is not a match for "abc.def".
    expect(redact('abcXdef+(ghi)*$1')).toBe('abcXdef+(ghi)*$1');
  });

  it('removes a secret whole when a key shape or another secret overlaps its start', () => {
    const token = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
    expect(createRedactor({ BOT_TOKEN: token })(`Authorization: Bearer ${token}`)).toBe(`Authorization: Bearer ${REDACTED}`);
    // Leftmost-first would match "xyzabc" and leave "def-long-123456" in clear.
    expect(createRedactor({ A_TOKEN: 'xyzabc', B_TOKEN: 'abcdef-long-123456' })('xyzabcdef-long-123456')).toBe(`xyz${REDACTED}`);
  });

  it('removes a longer secret whole even when a shorter one is inside it', () => {
    const redact = createRedactor({ A_TOKEN: 'secret-value', B_TOKEN: 'secret-value-longer' });
    expect(redact('x secret-value-longer y secret-value z')).toBe(`x ${REDACTED} y ${REDACTED} z`);
  });

  it('removes key-shaped strings from any source and leaves short values alone', () => {
    const redact = createRedactor({ SHORT_TOKEN: '12345', AUTHORIZATION: 'Bearer zzzzzzzzzz' }, { MY_PASSWORD: 'hunter22' });
    expect(redact('sk-ant-api03-abcdefghijkl and Bearer abcdefghijklmn, hunter22, 12345')).toBe(`${REDACTED} and ${REDACTED}, ${REDACTED}, 12345`);
  });

  it('with no secrets still removes key shapes', () => {
    expect(createRedactor()('token sk-ant-xxxxxxxxxxxx end')).toBe(`token ${REDACTED} end`);
  });
});

describe('redactEnvMap and redactJson', () => {
  it('replaces secret-named values in an env map and strings anywhere in JSON', () => {
    expect(redactEnvMap({ API_KEY: 'v', PATH: '/bin' })).toEqual({ API_KEY: REDACTED, PATH: '/bin' });
    const redact = createRedactor({ X_TOKEN: 'tok-123456' });
    expect(redactJson({ a: ['tok-123456', 3, null], 'tok-123456': { b: 'ok' } }, redact)).toEqual({ a: [REDACTED, 3, null], [REDACTED]: { b: 'ok' } });
  });
});
