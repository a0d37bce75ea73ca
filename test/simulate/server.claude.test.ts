// Integration tests: the real claude CLI (headless, stream-json) against the simulate server.
// Slow (each start costs about a second of CPU), so this file belongs to the `claude` project.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEnv, startSimulateServer, type SimulateServer } from '../../src/simulate/server.js';

// Parsed JSON whose shape each assertion states; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonObject = Record<string, any>;

const CLAUDE = join(process.cwd(), 'node_modules', '.bin', 'claude');

interface Run {
  code: number | null;
  lines: Array<JsonObject>;
  result: JsonObject;
  stderr: string;
}

let server: SimulateServer;
let cwd: string;
let configDir: string;

/** Our environment minus any real Anthropic settings, plus the simulate env and a private config dir. */
function claudeEnv(agent: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('ANTHROPIC_')) env[key] = value;
  }
  return { ...env, ...simulateEnv(server, agent), CLAUDE_CONFIG_DIR: configDir };
}

/** Runs claude -p … --output-format stream-json --verbose and parses every output line. */
function runClaude(args: string[], agent = 'agent-1'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(CLAUDE, ['-p', ...args, '--output-format', 'stream-json', '--verbose'], {
      cwd,
      env: claudeEnv(agent),
      stdio: ['ignore', 'pipe', 'pipe'], // an open stdin pipe makes claude wait ~3 s for input
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as JsonObject);
      const result = lines.find((l) => l.type === 'result') ?? {};
      resolve({ code, lines, result, stderr });
    });
  });
}

describe.skipIf(!existsSync(CLAUDE))('real claude CLI against the simulate server', () => {
  beforeAll(async () => {
    server = await startSimulateServer({ latencyMs: 0 });
    cwd = await mkdtemp(join(tmpdir(), 'herd-sim-cwd-'));
    configDir = await mkdtemp(join(tmpdir(), 'herd-sim-config-'));
  });

  afterAll(async () => {
    await server?.close();
    await rm(cwd, { recursive: true, force: true });
    await rm(configDir, { recursive: true, force: true });
  });

  let sessionId = '';

  it('answers a prompt with simulated text and a non-zero cost', async () => {
    const run = await runClaude(['Write a haiku about rivers']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.is_error).toBe(false);
    expect(run.result.result).toMatch(/^\[simulated\] \S.*\n[\s\S]*\n\(agent agent-1, turn 1\)$/);
    expect(String(run.result.result).split('\n')).toHaveLength(4); // header + three haiku lines
    expect(run.result.total_cost_usd).toBeGreaterThan(0);
    expect(server.stats.messages).toBeGreaterThanOrEqual(1);
    sessionId = String(run.result.session_id);
  });

  it('resumes the session and remembers the earlier prompt', async () => {
    expect(sessionId).not.toBe('');
    const run = await runClaude(['Now one about the sea', '--resume', sessionId]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.is_error).toBe(false);
    expect(run.result.result).toContain('(agent agent-1, turn 2; earlier you asked: "Write a haiku about rivers")');
  });

  it('executes a simulated Write tool call in its working directory', async () => {
    const run = await runClaude(['Keep a note [sim:write notes.txt]', '--permission-mode', 'acceptEdits'], 'writer');
    expect(run.code, run.stderr).toBe(0);
    expect(run.result.is_error).toBe(false);
    expect(run.result.num_turns).toBe(2);
    expect(await readFile(join(cwd, 'notes.txt'), 'utf8')).toBe('written by writer\n');
    expect(run.result.result).toContain('Write ok');
  });

  it('reads and edits an existing file, then runs a shell command, as the directives ask', async () => {
    await writeFile(join(cwd, 'config.txt'), 'name = herd\nlevel = 1\n');
    const run = await runClaude(
      [
        'Raise the level [sim:edit config.txt level = 1=>level = 2] [sim:bash cat config.txt > copy.txt]',
        '--permission-mode',
        'acceptEdits',
        '--allowed-tools',
        'Bash',
      ],
      'editor',
    );
    expect(run.code, run.stderr).toBe(0);
    const tools = run.lines
      .flatMap((line) => (line.type === 'assistant' ? (line.message.content as JsonObject[]) : []))
      .filter((block) => block.type === 'tool_use');
    expect(tools.map((block) => block.name)).toEqual(['Read', 'Edit', 'Bash']);
    expect(await readFile(join(cwd, 'config.txt'), 'utf8')).toBe('name = herd\nlevel = 2\n');
    expect(await readFile(join(cwd, 'copy.txt'), 'utf8')).toBe('name = herd\nlevel = 2\n');
    expect(run.result.result).toContain('Edit ok');
  });
});
