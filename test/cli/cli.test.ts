import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliMain, fakeClaude, makeTempDir, repoRoot, runCli, runCommand } from '../helpers.js';

let root: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(async () => {
  await root.cleanup();
});

const herd = (args: string[], input?: string) =>
  runCli([...args], { env: { HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude }, ...(input === undefined ? {} : { input }) });

describe('herd CLI', () => {
  it("--version prints herd's own version, not the version of the project it runs in", async () => {
    const manifest = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const run = await runCli(['--version'], { env: { npm_package_version: '9.9.9-other-project' } });
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(manifest.version);
  });

  it('exit 0 and exactly one JSON document on stdout with --json', async () => {
    const run = await herd(['spawn', 'mode:ok hello', '-n', '3', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.agents.map((agent: { id: string }) => agent.id)).toEqual(['agent-1', 'agent-2', 'agent-3']);
    expect(summary.totals).toMatchObject({ succeeded: 3, failed: 0 });
    expect(run.stderr).toContain('agent-1 succeeded');
    expect(run.stderr).toMatch(/speedup\s+\d+\.\d+x/);
  });

  it('exit 1 when an agent fails, and the table names it', async () => {
    const tasks = path.join(root.path, 'tasks.json');
    await writeFile(
      tasks,
      JSON.stringify([
        { id: 'fine', prompt: 'mode:ok' },
        { id: 'broken', prompt: 'mode:crash' },
      ]),
    );
    const run = await herd(['spawn', '--tasks', tasks]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/broken\s+failed/);
    expect(run.stderr).toMatch(/fine\s+succeeded/);
  });

  it.each([
    [['spawn', 'x', '-n', '0'], /-n\/--count: expected a whole number from 1 to 1000, got "0"/],
    [['spawn', 'x', '-n', 'abc'], /-n\/--count: expected a whole number .* got "abc"/],
    [['spawn', 'x', '-c', '0'], /-c\/--concurrency: expected a whole number .* got "0"/],
    [['spawn'], /missing prompt/],
    [['spawn', '--tasks', '/no/such/tasks.yaml'], /--tasks: cannot read \/no\/such\/tasks.yaml: no such file/],
    [['spawn', 'x', '--timeout', 'soon'], /--timeout: expected a duration like 500ms, 90s, 5m or 1h \(a bare number is seconds\), got "soon"/],
    [['spawn', 'x', '--env', 'FOO'], /^herd: --env: expected NAME=value, got "FOO" \(no "="\)\n$/],
    [['spawn', 'x', '--bogus-flag'], /^herd: unknown option '--bogus-flag' \(add --help for usage\)\n$/],
    [['spawn', 'x', '--timeout', '0'], /--timeout: must be more than 0, got "0" \(leave the flag out for no limit\)/],
    [['spawn', 'x', '--events', '/no/such/dir/events.jsonl'], /--events: cannot write \/no\/such\/dir\/events.jsonl: /],
    [['spawn', 'x', '--bogus'], /unknown option '--bogus'/],
    [['spwan', 'x'], /^herd: unknown command 'spwan' \(Did you mean spawn\?\) \(add --help for usage\)\n$/],
    [['spawn', 'x', '--simulate-latenc', '1s'], /^herd: unknown option '--simulate-latenc' \(Did you mean --simulate-latency\?\) \(add --help for usage\)\n$/],
    [['spawn', 'x', '--json-schema', '{"type":'], /--json-schema: expected a JSON Schema as JSON text, got "\{\\"type\\":"/],
    [['spawn', 'x', '--json-schema', '[1]'], /--json-schema: expected a JSON Schema object/],
    [['show', 'no-such-run'], /unknown run id "no-such-run"/],
    [['continue', 'no-such-run', 'hi'], /unknown run id "no-such-run"/],
    [['show', '../../etc'], /run id "..\/..\/etc" is not allowed/],
  ])('exit 2 with one clear message and nothing created: %j', async (args, message) => {
    const run = await herd(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(await readdir(root.path)).toEqual([]);
  });

  it('names the task and field of a malformed task file', async () => {
    const tasks = path.join(root.path, 'tasks.yaml');
    await writeFile(tasks, 'tasks:\n  - id: ok\n    prompt: fine\n  - id: writer\n    prompt: hi\n    maxTurns: lots\n');
    const run = await herd(['spawn', '--tasks', tasks]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/task 2 \(id "writer"\), field "maxTurns"/);
    expect((await readdir(root.path)).filter((name) => name !== 'tasks.yaml')).toEqual([]);
  });

  it('suggests the field a task file misspelt', async () => {
    const tasks = path.join(root.path, 'tasks.yaml');
    await writeFile(tasks, '- id: poet\n  promt: Write a haiku\n');
    const run = await herd(['spawn', '--tasks', tasks]);
    expect(run).toMatchObject({ code: 2, stderr: `herd: ${tasks}: task 1 (id "poet"): unknown field "promt" (did you mean "prompt"?)\n` });
  });

  it('points a task file with dependencies to herd run', async () => {
    const tasks = path.join(root.path, 'tasks.json');
    await writeFile(
      tasks,
      JSON.stringify([
        { id: 'a', prompt: 'x' },
        { id: 'b', prompt: 'y', dependsOn: ['a'] },
      ]),
    );
    const run = await herd(['spawn', '--tasks', tasks]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/task "b" has dependsOn; .* `node dist\/cli\/main.js run /);
  });

  it('lists, shows and cleans runs', async () => {
    const spawned = JSON.parse((await herd(['spawn', 'mode:ok', '-n', '2', '--json', '-q'])).stdout);
    const runs = await herd(['runs']);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toContain(spawned.runId);
    const show = await herd(['show', spawned.runId]);
    expect(show.stdout).toMatch(/turn 1/);
    expect(show.stdout).toMatch(/agent-2\s+succeeded/);
    const shownJson = JSON.parse((await herd(['show', spawned.runId, '--json'])).stdout);
    expect(shownJson.agents).toEqual(spawned.agents);
    const clean = await herd(['clean', spawned.runId]);
    expect(clean.code).toBe(0);
    expect(await readdir(root.path)).toEqual([]);
  });

  it('resume of a finished run says there is nothing to resume and starts nothing', async () => {
    const first = await herd(['spawn', 'mode:ok hi', '--json', '-q']);
    const runId = (JSON.parse(first.stdout) as { runId: string }).runId;
    const resumed = await herd(['resume', runId]);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toBe(`herd: nothing to resume in run ${runId}: every agent finished; see node dist/cli/main.js show ${runId}\n`);
  });

  it('continues a run from the command line and records the turn', async () => {
    const spawned = JSON.parse((await herd(['spawn', 'mode:ok', '-n', '2', '--json', '-q'])).stdout);
    const continued = await herd(['continue', spawned.runId, 'mode:ok more', '--agent', 'agent-2', '--json', '-q']);
    expect(continued.code).toBe(0);
    const summary = JSON.parse(continued.stdout);
    expect(summary.turns).toHaveLength(2);
    expect(summary.turns[1].agents).toHaveLength(1);
    expect(summary.turns[1].agents[0].result).toContain(`resumed ${spawned.agents[1].sessionId}`);
  });

  it('passes a hostile prompt byte for byte, without a shell', async () => {
    const prompt = `mode:echo-args -leading "double" 'single' $(whoami) \`id\` ; rm -rf / \n second line`;
    const run = await herd(['spawn', '--prompt-file', '-', '--json', '-q'], prompt);
    expect(run.code).toBe(0);
    const echoed = JSON.parse(JSON.parse(run.stdout).agents[0].result);
    expect(echoed.prompt).toBe(prompt);
  });

  it('passes bytes that are not UTF-8 through unchanged, from the command line and from --prompt-file', async () => {
    // Node cannot put such bytes in an argument, so bash's printf builds herd's argv.
    const expectedHex = Buffer.concat([Buffer.from('mode:echo-args caf'), Buffer.of(0xe9, 0xff, 0x0a)]).toString('hex');
    const script = `exec "$0" "$1" spawn "$(printf 'mode:echo-args caf\\351\\377\\n_')" --json -q`;
    const viaBash = await runCommand('bash', ['-c', script, process.execPath, cliMain], { env: { HERD_HOME: root.path, HERD_CLAUDE_BIN: fakeClaude } });
    expect(viaBash.code, viaBash.stderr).toBe(0);
    const echoedArg = JSON.parse(JSON.parse(viaBash.stdout).agents[0].result);
    expect(echoedArg.promptHex).toBe(`${expectedHex}5f`);
    expect(echoedArg.args).not.toContain('--');

    const file = path.join(root.path, 'latin1.txt');
    await writeFile(file, Buffer.from(expectedHex, 'hex'));
    const fromFile = await herd(['spawn', '--prompt-file', file, '--json', '-q']);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(JSON.parse(JSON.parse(fromFile.stdout).agents[0].result).promptHex).toBe(expectedHex);

    // A generic command gets them on stdin with --prompt-stdin.
    const hexOfStdin = path.join(root.path, 'hex-of-stdin.cjs');
    await writeFile(hexOfStdin, "process.stdout.write(require('fs').readFileSync(0).toString('hex'))");
    const command = await herd(['spawn', '--prompt-file', file, '--prompt-stdin', '--json', '-q', '--command', process.execPath, hexOfStdin]);
    expect(command.code, command.stderr).toBe(0);
    expect(JSON.parse(command.stdout).agents[0].result).toBe(expectedHex);
    // $HERD_PROMPT is left out when no variable can hold the prompt (raw bytes here, or > 100 KB).
    const envOf = path.join(root.path, 'env-of.cjs');
    await writeFile(envOf, "process.stdout.write(String(process.env.HERD_PROMPT === undefined) + ' ' + require('fs').readFileSync(0).length)");
    const big = path.join(root.path, 'big.txt');
    await writeFile(big, 'x'.repeat(200_000));
    const bigRun = await herd(['spawn', '--prompt-file', big, '--prompt-stdin', '--json', '-q', '--command', process.execPath, envOf]);
    expect(bigRun.code, bigRun.stderr).toBe(0);
    expect(JSON.parse(bigRun.stdout).agents[0].result).toBe('true 200000');
  });

  it('--json-schema reaches claude; an answer without structured output is a failure that says so', async () => {
    const schema = '{"type":"object","properties":{"answer":{"type":"string"}}}';
    const ok = await herd(['spawn', 'mode:structured go', '--json-schema', schema, '--json', '-q']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).agents[0].structuredOutput).toEqual({ schemaType: 'object', answer: 'fake structured answer' });
    const none = await herd(['spawn', 'mode:ok go', '--json-schema', schema, '--json', '-q']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout).agents[0]).toMatchObject({
      status: 'failed',
      error: { reason: 'protocol', message: expect.stringMatching(/^asked for structured output \(jsonSchema\) but the answer had none: fake answer to/) },
    });
  });

  it('sends a prompt too long for one argument (or holding NUL) on stdin, intact', async () => {
    const prompt = `mode:echo-args ${'long prompt '.repeat(20_000)}\0end`;
    const run = await herd(['spawn', '--prompt-file', '-', '--json', '-q'], prompt);
    expect(run.code, run.stderr).toBe(0);
    const echoed = JSON.parse(JSON.parse(run.stdout).agents[0].result);
    expect(echoed.prompt).toBe(prompt);
    expect(echoed.args).not.toContain('--');
  });
});

describe('NUL bytes', () => {
  const catAgent = ['--command', 'cat'];
  const nothingCreated = async () => expect((await readdir(root.path)).filter((name) => name !== 'input')).toEqual([]);
  const oneLine = (stderr: string) => {
    expect(stderr).toMatch(/^herd: .*NUL/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  };

  it('refuse a prompt no argument can carry, up front (exit 2, one line, nothing created)', async () => {
    const input = path.join(root.path, 'input');
    await writeFile(input, 'a\0b');
    const run = await herd(['spawn', '--prompt-file', input, ...catAgent]);
    expect(run.code).toBe(2);
    oneLine(run.stderr);
    expect(run.stderr).toMatch(/promptStdin|--prompt-stdin/);
    await nothingCreated();
  });

  it('refuse a command element or env value with NUL in a task file, up front', async () => {
    for (const [index, task] of [
      { id: 'a', prompt: 'p', agent: 'command', command: ['echo', 'x\0y'] },
      { id: 'a', prompt: 'p', agent: 'command', command: ['echo'], env: { MODE: 'x\0y' } },
      { id: 'a', prompt: 'p', systemPrompt: 'x\0y' },
    ].entries()) {
      const input = path.join(root.path, 'input');
      await writeFile(input, JSON.stringify([task]));
      const run = await herd(['spawn', '--tasks', input]);
      expect(run.code, `task ${index}`).toBe(2);
      oneLine(run.stderr);
      await nothingCreated();
    }
  });

  it('still deliver such a prompt on stdin, byte for byte, to a command agent with --prompt-stdin (claude: see above)', async () => {
    const input = path.join(root.path, 'input');
    await writeFile(input, 'a\0b');
    const command = await herd(['spawn', '--prompt-file', input, '--json', '-q', '--prompt-stdin', ...catAgent]);
    expect(command.code, command.stderr).toBe(0);
    expect(JSON.parse(command.stdout).agents[0].result).toBe('a\0b');
  });
});
