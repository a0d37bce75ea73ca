import { describe, expect, it } from 'vitest';
import { createRedactor, isSecretName, REDACTED, redactEnvMap, redactJson } from '../../src/secrets/redact.js';

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

describe('which names are secret, and the forms and shapes of secrets', () => {
  it('knows secret names wherever the word sits, and not names that only say where a secret is', () => {
    for (const name of [
      'AWS_SECRET_ACCESS_KEY',
      'AWS_ACCESS_KEY_ID',
      'DB_PASSWORD_V2',
      'PGPASSWORD',
      'NPM_AUTH',
      'HTTP_AUTHORIZATION',
      'GH_TOKEN_RO',
      'DEPLOY_KEY_MATERIAL',
      'CLIENT_SECRETS',
      'DB_PASS',
      'npm_config__authToken',
      'GITHUB_PAT',
    ])
      expect(isSecretName(name), name).toBe(true);
    for (const name of [
      'PATH',
      'HOME',
      'PWD',
      'GIT_AUTHOR_NAME',
      'XAUTHORITY',
      'SSH_AUTH_SOCK',
      'GIT_TOKEN_FILE',
      'KEYBOARD_LAYOUT',
      'HERD_PROMPT',
      'TOKENIZERS_PARALLELISM',
    ])
      expect(isSecretName(name), name).toBe(false);
  });

  it('removes a secret as is, JSON-escaped (once and twice) and URL-encoded', () => {
    const secret = 'pa"ss\\wo rd/+=';
    const redact = createRedactor({ MY_PASSWORD: secret });
    const once = JSON.stringify(secret).slice(1, -1);
    for (const form of [secret, once, JSON.stringify(once).slice(1, -1), encodeURIComponent(secret)]) expect(redact(`<${form}>`), form).toBe(`<${REDACTED}>`);
  });

  it('keeps JSON text valid while it removes secrets with quotes and backslashes from it', () => {
    const secret = 'a"b\\c-secret';
    const redact = createRedactor({ X_TOKEN: secret });
    const text = JSON.stringify({ prompt: `use ${secret}`, nested: JSON.stringify({ key: secret }), [secret]: 1 }, null, 2);
    const clean = redact.json(text);
    expect(JSON.parse(clean)).toEqual({ prompt: `use ${REDACTED}`, nested: `{"key":"${REDACTED}"}`, [REDACTED]: 1 });
    expect(redact.json('{"a":"nothing secret"}')).toBe('{"a":"nothing secret"}');
  });

  it('cleans a tail cut inside a secret: the leading piece and the partial first line go', () => {
    const secret = 'wJalrXUtnFEMIxK7MDENGxbPxRfiCYzEXAMPLEKEY';
    const redact = createRedactor({ AWS_SECRET_ACCESS_KEY: secret });
    expect(redact.tail(`${secret.slice(-10)} and more\nnext line ${secret}`)).toBe(`next line ${REDACTED}`);
    // One line only: its partial first word goes (a key shape cut in two has no shape left).
    expect(redact.tail('nt-api03-abcdefghijkl rest of it')).toBe('rest of it');
  });

  it('finds Basic credentials (only when they decode to user:password) and passwords in URLs', () => {
    const redact = createRedactor();
    const basic = Buffer.from('user:hunter2').toString('base64');
    expect(redact(`Authorization: Basic ${basic}`)).toBe(`Authorization: ${REDACTED}`);
    expect(redact('Basic understanding of the problem')).toBe('Basic understanding of the problem');
    expect(redact('proxy https://bob:s3cr3t@proxy.local:8080/x')).toBe(`proxy https://bob:${REDACTED}@proxy.local:8080/x`);
  });
});

describe('redactEnvMap and redactJson', () => {
  it('replaces secret-named values in an env map and strings anywhere in JSON', () => {
    expect(redactEnvMap({ API_KEY: 'v', PATH: '/bin' })).toEqual({ API_KEY: REDACTED, PATH: '/bin' });
    const redact = createRedactor({ X_TOKEN: 'tok-123456' });
    expect(redactJson({ a: ['tok-123456', 3, null], 'tok-123456': { b: 'ok' } }, redact)).toEqual({ a: [REDACTED, 3, null], [REDACTED]: { b: 'ok' } });
  });
});

describe('no secret reaches disk or output (real agents, the built CLI)', () => {
  // Named like secrets in the ways people name them; values with quotes, backslashes, spaces,
  // slashes and plus signs, so each is stored differently as JSON and in a URL.
  const inherited: Record<string, string> = {
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIxK7MDENGxbPxRfiCYzEXAMPLEKEY',
    MY_SERVICE_PASSWORD_V2: 'pa"ss\\word with "quotes" and\\backslashes',
    NPM_AUTH_HEADER: 'Basic dXNlcjpodW50ZXJodW50ZXI=',
    GH_TOKEN_READONLY: 'ghp_abcdEFGHwxyzIJKLmnopQRST',
    DEPLOY_KEY_MATERIAL: 'kEy-Material/With+Slash=Plus',
    CLIENT_SECRET_V2: 'cs-ABC.def+ghi/jkl=mno&pqr',
  };
  const viaEnvFlag = { FLAG_PASSWORD: 'flag pass phrase with spaces' };
  const viaTaskEnv = { TASK_API_TOKEN: 'task-secret-value-xyzzy' };
  const all = { ...inherited, ...viaEnvFlag, ...viaTaskEnv };
  const names = Object.keys(all).join(',');
  const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);
  /** Every 8-character piece of each secret, as is and in the forms JSON and URLs give it. */
  const fragments = [
    ...new Set(
      Object.values(all).flatMap((secret) =>
        [secret, jsonEscape(secret), encodeURIComponent(secret)].flatMap((form) =>
          Array.from({ length: form.length - 7 }, (_, index) => form.slice(index, index + 8)),
        ),
      ),
    ),
  ];
  const leaksIn = (where: string, text: string) => fragments.filter((fragment) => text.includes(fragment)).map((fragment) => `${where}: ${fragment}`);

  it('values of secret-named variables (inherited, --env, task env) and secrets typed into prompts are redacted everywhere', async () => {
    const { makeTempDir, runCli, fakeClaude, fixture } = await import('../helpers.js');
    const { readdir, readFile, writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = await makeTempDir();
    try {
      const home = path.join(dir.path, 'runs');
      const tasks = path.join(dir.path, 'tasks.json');
      const events = path.join(dir.path, 'events.out');
      await writeFile(
        tasks,
        JSON.stringify([
          {
            id: 'cmd',
            agent: 'command',
            command: [process.execPath, fixture('leaky-agent.mjs')],
            prompt: `deploy with ${inherited.AWS_SECRET_ACCESS_KEY} and ${inherited.MY_SERVICE_PASSWORD_V2}`,
            env: viaTaskEnv,
          },
          { id: 'claude', prompt: 'mode:leak-all', env: viaTaskEnv },
        ]),
      );
      const run = await runCli(['spawn', '--tasks', tasks, '--env', `FLAG_PASSWORD=${viaEnvFlag.FLAG_PASSWORD}`, '--json', '--events', events], {
        env: { ...inherited, HERD_HOME: home, HERD_CLAUDE_BIN: fakeClaude, LEAK_NAMES: names, CUT_SECRET: inherited.AWS_SECRET_ACCESS_KEY },
      });
      expect(run.code, run.stderr).toBe(1);
      // The agents did print them (else this test proves nothing): herd saw and removed them.
      const summary = JSON.parse(run.stdout) as { runId: string; agents: Array<{ result?: string; stderrTail?: string }> };
      for (const agent of summary.agents) {
        expect(agent.result).toContain('GH_TOKEN_READONLY=[redacted]');
        expect(agent.stderrTail).toContain('CLIENT_SECRET_V2=[redacted]');
      }
      const found: string[] = [...leaksIn('--json', run.stdout), ...leaksIn('stderr', run.stderr), ...leaksIn('--events', await readFile(events, 'utf8'))];
      // The HTML report is written next to the record: it is checked with it.
      expect((await runCli(['report', summary.runId], { env: { HERD_HOME: home } })).code).toBe(0);
      const runHome = path.join(home, summary.runId);
      for (const entry of await readdir(runHome, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const file = path.join(entry.parentPath, entry.name);
        found.push(...leaksIn(path.relative(home, file), await readFile(file, 'utf8')));
      }
      const shown = await runCli(['show', summary.runId], { env: { HERD_HOME: home } });
      found.push(...leaksIn('show', shown.stdout));
      expect(found).toEqual([]);
    } finally {
      await dir.cleanup();
    }
  });
});
