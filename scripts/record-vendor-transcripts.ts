// Records what the real codex and gemini CLIs print against herd's stand-in API, for each fault
// herd must classify: test/fixtures/transcripts/{codex,gemini}/<case>.{jsonl,stderr,exit}.
// The argv and environment are exactly herd's (the adapters build them); paths are rewritten.
//
//   npx tsx scripts/record-vendor-transcripts.ts [codex|gemini] [case...]

import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AgentAdapter } from '../src/agents/adapter.js';
import { resolveAgentBin } from '../src/agents/agent-bin.js';
import { createCodexAdapter } from '../src/agents/codex.js';
import { createGeminiAdapter } from '../src/agents/gemini.js';
import { startSimulateServer, type SimulateServer } from '../src/simulate/server.js';
import type { AgentTask } from '../src/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Case {
  name: string;
  prompt: string;
  task?: Partial<AgentTask>;
  /** Resume this session id (or, with 'previous', the one the case before it printed). */
  resume?: string;
  /** Stop the server first: the CLI finds nobody listening. */
  noServer?: boolean;
}

const CASES: Record<'codex' | 'gemini', Case[]> = {
  codex: [
    { name: 'success', prompt: 'Write a haiku about rivers' },
    { name: 'resume', prompt: 'Now make it rhyme', resume: 'previous' },
    { name: 'tool-write', prompt: 'Save it [sim:write out.txt] [sim:bash echo shell-was-here > sh.txt]', task: { permissionMode: 'acceptEdits' } },
    { name: 'retry-429-then-success', prompt: 'Busy [sim:status 429 x1]' },
    { name: 'rate-limit-429', prompt: 'Busy [sim:status 429]' },
    { name: 'server-error-500', prompt: 'Broken [sim:status 500]' },
    { name: 'unavailable-503', prompt: 'Broken [sim:status 503]' },
    { name: 'bad-request-400', prompt: 'Bad [sim:status 400]' },
    { name: 'auth-401', prompt: 'Who [sim:status 401]' },
    { name: 'resume-unknown-session', prompt: 'Hello again', resume: '01a23300-0000-7000-8000-000000000000' },
    { name: 'connection-refused', prompt: 'Anyone there?', noServer: true },
  ],
  gemini: [
    { name: 'success', prompt: 'Write a haiku about rivers' },
    { name: 'resume', prompt: 'Now make it rhyme', resume: 'previous' },
    { name: 'tool-write', prompt: 'Save it [sim:write out.txt] [sim:bash echo shell-was-here > sh.txt]', task: { permissionMode: 'bypassPermissions' } },
    { name: 'rate-limit-429', prompt: 'Busy [sim:status 429]' },
    { name: 'server-error-500', prompt: 'Broken [sim:status 500]' },
    { name: 'unavailable-503', prompt: 'Broken [sim:status 503]' },
    { name: 'bad-request-400', prompt: 'Bad [sim:status 400]' },
    { name: 'auth-401', prompt: 'Who [sim:status 401]' },
    { name: 'resume-unknown-session', prompt: 'Hello again', resume: '00000000-0000-4000-8000-000000000000' },
    { name: 'max-turns', prompt: 'Save it [sim:bash echo one] [sim:bash echo two]', task: { permissionMode: 'bypassPermissions', maxTurns: 1 } },
    { name: 'connection-refused', prompt: 'Anyone there?', noServer: true },
  ],
};

function adapterFor(kind: 'codex' | 'gemini'): AgentAdapter {
  const bin = resolveAgentBin(kind);
  return kind === 'codex' ? createCodexAdapter(bin.file, bin.version) : createGeminiAdapter(bin.file, bin.version);
}

async function record(kind: 'codex' | 'gemini', wanted: string[]): Promise<void> {
  const adapter = adapterFor(kind);
  const outDir = path.join(repoRoot, 'test', 'fixtures', 'transcripts', kind);
  await mkdir(outDir, { recursive: true });
  const root = await mkdtemp(path.join(os.tmpdir(), `herd-record-${kind}-`));
  const workspace = path.join(root, 'project');
  const home = path.join(root, 'home');
  await mkdir(workspace);
  await mkdir(home, { mode: 0o700 });
  let previousSession: string | undefined;
  try {
    for (const testCase of CASES[kind]) {
      // A case that resumes the previous one needs that one recorded too: list both.
      if (wanted.length > 0 && !wanted.includes(testCase.name)) continue;
      const server = await startSimulateServer({ latencyMs: 0 });
      try {
        const sessionId = await recordCase(kind, adapter, testCase, { server, workspace, home, root, outDir, previousSession });
        if (sessionId !== undefined) previousSession = sessionId;
      } finally {
        await server.close();
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

interface CaseContext {
  server: SimulateServer;
  workspace: string;
  home: string;
  root: string;
  outDir: string;
  previousSession: string | undefined;
}

async function recordCase(kind: 'codex' | 'gemini', adapter: AgentAdapter, testCase: Case, context: CaseContext): Promise<string | undefined> {
  const task: AgentTask = { id: 'agent-1', prompt: testCase.prompt, agent: kind, ...testCase.task };
  const prepared = await adapter.prepare!({ task, dir: context.home, simulateUrl: context.server.url, inheritedEnv: process.env });
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: context.home, HERD_AGENT_ID: task.id, ...prepared };
  const resume = testCase.resume === 'previous' ? context.previousSession : testCase.resume;
  const spec = adapter.command(task, { env, privateDir: context.home, ...(resume ? { resumeSessionId: resume } : {}) });
  if (testCase.noServer) await context.server.close();
  const started = Date.now();
  const { stdout, stderr, code } = await run(spec.file, spec.args, context.workspace, { ...env, ...(spec.env as Record<string, string>) });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const clean = (text: string) => text.split(context.root).join('/home/dev');
  await writeFile(path.join(context.outDir, `${testCase.name}.jsonl`), clean(stdout));
  await writeFile(path.join(context.outDir, `${testCase.name}.stderr`), clean(stderr));
  await writeFile(path.join(context.outDir, `${testCase.name}.exit`), `${code}\n`);
  process.stdout.write(`${kind} ${testCase.name}: exit ${code} in ${seconds}s, ${context.server.stats.requests} requests\n`);
  return /"(?:thread_id|session_id)":"([^"]+)"/.exec(stdout)?.[1];
}

function run(file: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

const [kind, ...wanted] = process.argv.slice(2);
const kinds: Array<'codex' | 'gemini'> = kind === 'codex' || kind === 'gemini' ? [kind] : ['codex', 'gemini'];
for (const each of kinds) await record(each, kind === each ? wanted : []);
