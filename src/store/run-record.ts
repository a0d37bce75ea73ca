// What a run.json must look like to be read back (zod): a record that is valid JSON but the
// wrong shape (`{}`, a hand edit, a file from elsewhere) is refused here with the field that is
// wrong, instead of crashing `runs`, `show`, `report`, `resume` and `continue` later.
// Objects are loose (unknown fields pass): a record written by a newer herd still reads.
// Failure reasons are any string for the same reason, so wave-1 records ('canceled') read too.
// Loaded only by readers (run-store.ts imports it lazily), so `herd spawn` does not load zod.

import { z } from 'zod';
import { HerdError } from '../errors.js';
import type { AgentStatus, RunStatus, RunSummary } from '../types.js';
import { AGENT_KINDS, PERMISSION_MODES } from '../types.js';

const AGENT_STATUSES = ['succeeded', 'failed', 'timeout', 'cancelled', 'skipped', 'budget', 'pending', 'running'] as const satisfies readonly AgentStatus[];
const RUN_STATUSES = ['running', 'succeeded', 'failed', 'cancelled'] as const satisfies readonly RunStatus[];
// Every status the types know is accepted (a compile error here means a list above lacks one).
const everyAgentStatus: Exclude<AgentStatus, (typeof AGENT_STATUSES)[number]> extends never ? true : never = true;
const everyRunStatus: Exclude<RunStatus, (typeof RUN_STATUSES)[number]> extends never ? true : never = true;
void everyAgentStatus;
void everyRunStatus;

const count = z.number().finite();
const strings = z.array(z.string());

const usage = z.looseObject({ inputTokens: count, outputTokens: count, cacheReadTokens: count, cacheCreationTokens: count });

const agentResult = z.looseObject({
  id: z.string(),
  status: z.enum(AGENT_STATUSES),
  sessionId: z.string().optional(),
  workspace: z.string(),
  result: z.string().optional(),
  prompt: z.string().optional(),
  structuredOutput: z.unknown().optional(),
  costUsd: count,
  usage,
  numTurns: count.optional(),
  durationMs: count,
  durationApiMs: count.optional(),
  attempts: count,
  startedAt: z.string(),
  endedAt: z.string(),
  exitCode: count.optional(),
  signal: z.string().optional(),
  error: z.looseObject({ reason: z.string(), message: z.string(), apiStatus: count.optional() }).optional(),
  stderrTail: z.string().optional(),
  apiRetries: count.optional(),
});

const totals = z.looseObject({
  costUsd: count,
  wallMs: count,
  agentMs: count,
  // Added after wave 1: older records have none.
  apiMs: count.default(0),
  speedup: count,
  efficiency: count,
  concurrency: count,
  succeeded: count,
  failed: count,
  usage,
});

const turn = z.looseObject({
  turn: count,
  prompt: z.string().optional(),
  planned: strings.optional(),
  wallMs: count.optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  agents: z.array(agentResult),
  totals,
});

/** A task as stored for resume and continue: these fields build an agent's command line and environment. */
const storedTask = z.looseObject({
  id: z.string(),
  prompt: z.string(),
  agent: z.enum(AGENT_KINDS).optional(),
  command: strings.optional(),
  promptArg: z.boolean().optional(),
  promptStdin: z.boolean().optional(),
  model: z.string().optional(),
  systemPrompt: z.string().optional(),
  appendSystemPrompt: z.string().optional(),
  allowedTools: strings.optional(),
  disallowedTools: strings.optional(),
  permissionMode: z.enum(PERMISSION_MODES).optional(),
  maxTurns: count.optional(),
  maxBudgetUsd: count.optional(),
  addDirs: strings.optional(),
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  timeoutMs: count.optional(),
  idleTimeoutMs: count.optional(),
  files: z.record(z.string(), z.string()).optional(),
  dependsOn: strings.optional(),
  priority: count.optional(),
});

const workflow = z.looseObject({
  name: z.string().optional(),
  file: z.string().optional(),
  vars: z.record(z.string(), z.string()),
  sharedDir: z.string().optional(),
  tasks: z.array(
    z.looseObject({
      id: z.string(),
      kind: z.enum(['task', 'each', 'compete', 'judge']),
      agents: strings,
      dependsOn: strings,
      stage: count,
      priority: count,
      optional: z.boolean(),
      judges: z.string().optional(),
      items: strings.optional(),
    }),
  ),
  stages: z.array(
    z.looseObject({
      stage: count,
      agents: strings,
      wallMs: count,
      agentMs: count,
      savedMs: count,
      speedup: count,
      efficiency: count,
      costUsd: count,
      succeeded: count,
      failed: count,
      skipped: z.array(z.looseObject({ id: z.string(), reason: z.string() })),
    }),
  ),
  criticalPath: z.looseObject({ agents: strings, ms: count }).optional(),
  judgements: z.array(
    z.looseObject({
      judge: z.string(),
      of: z.string(),
      candidates: strings,
      winner: z.string().optional(),
      reason: z.string().optional(),
      source: z.enum(['structured', 'text']).optional(),
      error: z.string().optional(),
    }),
  ),
});

const runRecord = z.looseObject({
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  endedAt: z.string(),
  simulated: z.boolean(),
  agentVersion: z.string().optional(),
  agents: z.array(agentResult),
  totals,
  turns: z.array(turn),
  tasks: z.array(storedTask),
  workspaceRoot: z.string(),
  claudeConfigDir: z.string().optional(),
  workflow: workflow.optional(),
  error: z.string().optional(),
});

/** The parsed run.json as a RunSummary, or a HerdError naming the first field that is wrong. */
export function parseRunRecord(value: unknown, file: string): RunSummary {
  const parsed = runRecord.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the record';
    throw new HerdError(`${file} is not a herd run record (${where}: ${issue?.message ?? 'invalid'}); the run record is damaged`);
  }
  // The schema mirrors RunSummary field by field; failure reasons are read as any string (see the top).
  return parsed.data as RunSummary;
}
