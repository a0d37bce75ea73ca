// Workflows with the real claude binary against the simulate server (latency 0): the
// pipeline example end to end, and compete + judge. Six claude starts in all; the prompts
// claude really received are read back from its session transcripts.

import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { loadWorkflowFile } from '../../src/workflow/workflow-file.js';
import { makeTempDir, repoRoot } from '../helpers.js';

const CLAUDE = path.join(repoRoot, 'node_modules', '.bin', 'claude');
let root: { path: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  root = await makeTempDir('herd-wf-claude-');
});
afterAll(async () => {
  await root.cleanup();
});

/** The first user prompt of an agent's session, from claude's own transcript. */
async function promptClaudeGot(summary: RunSummary, agentId: string): Promise<string> {
  const sessionId = summary.agents.find((agent) => agent.id === agentId)?.sessionId;
  const projects = path.join(summary.claudeConfigDir!, 'projects');
  for (const project of await readdir(projects)) {
    const file = path.join(projects, project, `${sessionId}.jsonl`);
    if (!existsSync(file)) continue;
    for (const line of (await readFile(file, 'utf8')).split('\n')) {
      const entry = line ? (JSON.parse(line) as { type?: string; message?: { content?: unknown } }) : {};
      if (entry.type === 'user' && typeof entry.message?.content === 'string') return entry.message.content;
    }
  }
  throw new Error(`no transcript for ${agentId} (session ${sessionId})`);
}

describe.skipIf(!existsSync(CLAUDE))('workflows with the real claude', () => {
  it('runs the pipeline example: each step gets the previous answer, all share the scratchpad', async () => {
    const spec = await loadWorkflowFile(path.join(repoRoot, 'examples/workflows/pipeline.yaml'));
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 }, claudeBin: CLAUDE });
    const summary = await supervisor.runWorkflow(spec, { vars: { topic: 'tide pools' } });
    expect(
      summary.agents.map((agent) => [agent.id, agent.status]),
      JSON.stringify(summary.agents.map((agent) => agent.error)),
    ).toEqual([
      ['research', 'succeeded'],
      ['write', 'succeeded'],
      ['review', 'succeeded'],
    ]);
    const research = summary.agents[0]!.result!;
    expect(research).toMatch(/^\[simulated\] /);
    expect(research).toContain('(agent research, as a careful researcher, turn 1)');
    const writePrompt = await promptClaudeGot(summary, 'write');
    expect(writePrompt).toContain('Write a 150-word article about tide pools built on these facts:');
    expect(writePrompt).toContain(research);
    const reviewPrompt = await promptClaudeGot(summary, 'review');
    expect(reviewPrompt).toContain(summary.agents[1]!.result!);
    expect(reviewPrompt).toContain(research);
    const sharedDir = path.join(root.path, summary.runId, '_shared');
    expect(await readFile(path.join(sharedDir, 'scratchpad.md'), 'utf8')).toMatch(/^# Scratchpad/);
    expect(summary.tasks.every((task) => task.addDirs?.includes(sharedDir))).toBe(true);
    expect(summary.workflow?.stages.map((stage) => stage.succeeded)).toEqual([1, 1, 1]);
    expect(summary.totals.costUsd).toBeGreaterThan(0);
  });

  it('runs compete + judge: the judge sees both candidates, and the run records its winner and why', async () => {
    const supervisor = new Supervisor({ workspaceRoot: root.path, simulate: { latencyMs: 0 }, claudeBin: CLAUDE });
    const summary = await supervisor.runWorkflow({
      tasks: [
        { id: 'solve', prompt: 'Write a slugify function, attempt {{index}}.', compete: 2 },
        { id: 'pick', prompt: 'Pick the clearest implementation. [sim:winner solve-2]', judge: 'solve' },
      ],
    });
    expect(summary.status, JSON.stringify(summary.agents.map((agent) => agent.error))).toBe('succeeded');
    const [judgement] = summary.workflow!.judgements;
    expect(judgement).toMatchObject({
      judge: 'pick',
      of: 'solve',
      candidates: ['solve-1', 'solve-2'],
      winner: 'solve-2',
      reason: expect.stringContaining('solve-2'),
      source: 'structured',
    });
    // The verdict came as schema-checked JSON (claude --json-schema), not from parsing text.
    expect(summary.agents.find((agent) => agent.id === 'pick')?.structuredOutput).toEqual({ winner: 'solve-2', reason: judgement!.reason });
    const judgePrompt = await promptClaudeGot(summary, 'pick');
    expect(judgePrompt).toContain(`### Candidate solve-1\n${summary.agents[0]!.result!.trim()}`);
    expect(judgePrompt).toContain(`### Candidate solve-2\n${summary.agents[1]!.result!.trim()}`);
    expect(judgePrompt).toContain('WINNER: <one of: solve-1, solve-2>');
    const stored = JSON.parse(await readFile(path.join(root.path, summary.runId, 'run.json'), 'utf8')) as RunSummary;
    expect(stored.workflow?.judgements).toEqual(summary.workflow?.judgements);
  });
});
