// Every event herd emits validates against the documented event types (docs/events.md):
// the events of a real claude run on the simulate server (the recorded fixture: tool call,
// API retry, timeout, continue) and of a fresh run with the fake claude (crash, herd retry,
// timeout), as listeners get them and as events.jsonl stores them. Top-level fields are
// strict: a new field must be documented before it ships.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { HerdEvent } from '../../src/events.js';
import { readEvents } from '../../src/store/run-store.js';
import { Supervisor } from '../../src/supervisor/supervisor.js';
import type { RunSummary } from '../../src/types.js';
import { fakeClaude, makeTempDir } from '../helpers.js';

const base = { runId: z.string().min(1), ts: z.number().int().positive() };
const agent = { ...base, agentId: z.string().min(1) };
const status = z.enum(['succeeded', 'failed', 'timeout', 'cancelled', 'skipped', 'budget', 'pending', 'running']);
const usage = z.object({ inputTokens: z.number(), outputTokens: z.number(), cacheReadTokens: z.number(), cacheCreationTokens: z.number() }).strict();
const result = z
  .object({
    id: z.string(),
    status,
    workspace: z.string(),
    costUsd: z.number(),
    usage,
    durationMs: z.number(),
    attempts: z.number().int(),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime(),
    error: z.object({ reason: z.string(), message: z.string() }).optional(),
  })
  .loose();
const summary = z
  .object({
    runId: z.string(),
    status: z.string(),
    agents: z.array(result),
    turns: z.array(z.object({ turn: z.number() }).loose()),
    totals: z.object({ wallMs: z.number() }).loose(),
  })
  .loose();

/** The documented event types; keep in step with src/events.ts and docs/events.md. */
const eventSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...base,
      type: z.literal('run.start'),
      agents: z.array(z.string()),
      turn: z.number().int().positive(),
      concurrency: z.number().int().positive(),
      simulated: z.boolean(),
      maxCostUsd: z.number().positive().optional(),
    })
    .strict(),
  z.object({ ...agent, type: z.literal('agent.queued'), turn: z.number().int().positive() }).strict(),
  z
    .object({
      ...agent,
      type: z.literal('agent.start'),
      turn: z.number().int().positive(),
      attempt: z.number().int().positive(),
      workspace: z.string(),
      pid: z.number().int().optional(),
      warm: z.boolean().optional(),
      worker: z.string().min(1).optional(),
    })
    .strict(),
  z.object({ ...agent, type: z.literal('agent.session'), sessionId: z.string().min(1), model: z.string().optional() }).strict(),
  z
    .object({
      ...agent,
      type: z.literal('agent.output'),
      kind: z.string().min(1),
      activity: z.enum(['thinking', 'answered']).optional(),
      excerpt: z.string().optional(),
    })
    .strict(),
  z.object({ ...agent, type: z.literal('agent.tool'), tool: z.string().min(1), file: z.string().optional(), command: z.string().optional() }).strict(),
  z
    .object({
      ...agent,
      type: z.literal('agent.retry'),
      attempt: z.number().int().positive(),
      status: z.number().int().optional(),
      delayMs: z.number().nonnegative().optional(),
      source: z.enum(['agent', 'herd']),
    })
    .strict(),
  z.object({ ...agent, type: z.literal('agent.end'), turn: z.number().int().positive(), result }).strict(),
  z
    .object({
      ...agent,
      type: z.literal('agent.cost'),
      costUsd: z.number().nonnegative(),
      runCostUsd: z.number().nonnegative(),
      maxCostUsd: z.number().optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('run.budget'),
      level: z.enum(['warning', 'cap']),
      spentUsd: z.number().nonnegative(),
      limitUsd: z.number().positive(),
      message: z.string().min(1),
    })
    .strict(),
  z.object({ ...base, type: z.literal('run.waiting'), untilTs: z.number(), reason: z.string() }).strict(),
  z.object({ ...base, type: z.literal('run.warning'), message: z.string() }).strict(),
  z.object({ ...base, type: z.literal('run.end'), turn: z.number().int().positive(), summary }).strict(),
]);

function expectValid(events: readonly unknown[]): void {
  for (const event of events) {
    const parsed = eventSchema.safeParse(event);
    if (!parsed.success) throw new Error(`event does not match the documented types: ${JSON.stringify(event).slice(0, 300)}\n${parsed.error.message}`);
  }
}

describe('event schema', () => {
  it('holds for a recorded real claude run (tool call, API retry, timeout, continue)', () => {
    const recorded = readFileSync(new URL('./fixtures/live-events.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as unknown);
    expectValid(recorded);
    const types = new Set(recorded.map((event) => (event as HerdEvent).type));
    expect([...types].sort()).toEqual([
      'agent.end',
      'agent.output',
      'agent.queued',
      'agent.retry',
      'agent.session',
      'agent.start',
      'agent.tool',
      'run.end',
      'run.start',
    ]);
  });

  describe('a fresh run with crash, herd retry and timeout', () => {
    let root: { path: string; cleanup: () => Promise<void> };
    const heard: HerdEvent[] = [];
    let run: RunSummary;

    beforeAll(async () => {
      root = await makeTempDir();
      const supervisor = new Supervisor({
        workspaceRoot: root.path,
        claudeBin: fakeClaude,
        retries: 1,
        retryBaseDelayMs: 50,
        killGraceMs: 200,
        // A cap that is never reached and a warning that is (each answer reports $0.001).
        maxCostUsd: 10,
        warnCostUsd: 0.0015,
        onEvent: (event) => heard.push(event),
      });
      run = await supervisor.run([
        { id: 'fine', prompt: 'mode:ok hello' },
        { id: 'crasher', prompt: 'mode:crash' },
        { id: 'flaky', prompt: 'mode:fail-once' },
        { id: 'stuck', prompt: 'mode:hang', timeoutMs: 400 },
      ]);
    });
    afterAll(async () => {
      await root.cleanup();
    });

    it('validates as listeners hear them and as events.jsonl stores them', async () => {
      expectValid(heard);
      const { events, skippedLines } = await readEvents(path.join(root.path, run.runId));
      expect(skippedLines).toBe(0);
      expectValid(events);
      const notOutput = (event: HerdEvent) => event.type !== 'agent.output';
      expect(events.filter(notOutput).map((event) => event.type)).toEqual(heard.filter(notOutput).map((event) => event.type));
      // Output lines are logged only when they say something, at most one per agent per second (emitter.ts).
      const logged = events.filter((event) => event.type === 'agent.output');
      expect(logged.length).toBeLessThan(heard.filter((event) => event.type === 'agent.output').length);
      for (const event of logged) expect(event.excerpt !== undefined || event.activity !== undefined).toBe(true);
      const perAgent = new Map<string, number[]>();
      for (const event of logged) perAgent.set(event.agentId, [...(perAgent.get(event.agentId) ?? []), event.ts]);
      for (const times of perAgent.values())
        for (let index = 1; index < times.length; index += 1) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(1000);
    });

    it('carries what renderers need: herd retries, attempts and the end of every agent', () => {
      const retry = heard.find((event) => event.type === 'agent.retry');
      expect(retry).toMatchObject({ agentId: 'flaky', source: 'herd', attempt: 2 });
      expect(heard.filter((event) => event.type === 'agent.start' && event.agentId === 'flaky').map((event) => (event as { attempt: number }).attempt)).toEqual(
        [1, 2],
      );
      const ends = heard.filter((event): event is Extract<HerdEvent, { type: 'agent.end' }> => event.type === 'agent.end');
      expect(Object.fromEntries(ends.map((event) => [event.agentId, event.result.status]))).toEqual({
        fine: 'succeeded',
        crasher: 'failed',
        flaky: 'succeeded',
        stuck: 'timeout',
      });
      expect(heard.at(-1)?.type).toBe('run.end');
      expect(heard.filter((event) => event.type === 'run.budget')).toMatchObject([{ level: 'warning', limitUsd: 0.0015 }]);
      expect(heard.filter((event) => event.type === 'agent.cost').length).toBeGreaterThanOrEqual(2);
    });
  });
});
