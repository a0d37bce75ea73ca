import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { createPlainProgress } from '../../src/progress/plain.js';

const recorded: HerdEvent[] = readFileSync(new URL('../report/fixtures/live-events.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as HerdEvent);

function replay(events: readonly HerdEvent[]): string {
  let now = events[0]?.ts ?? 0;
  let text = '';
  const listener = createPlainProgress(
    (chunk) => (text += chunk),
    () => now,
  );
  for (const event of events) {
    now = event.ts;
    listener(event);
  }
  return text;
}

describe('plain progress lines', () => {
  it('prints one timestamped line per start, retry and end of a recorded run', () => {
    const lines = replay(recorded).split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '[   0ms] run 20261125-185444-8239 turn 1: 5 agents, up to 3 at once (simulated API)',
      '[   3ms] poet started',
      '[  30ms] builder started',
      '[  47ms] flaky started',
      '[  3.2s] flaky API retry 1 after HTTP 529, waiting 572ms',
      '[  3.9s] poet succeeded in 3.9s $0.017 (1/5): [simulated] agent poet (turn 1)',
    ]);
    expect(lines).toContain('[ 15.9s] sleeper timeout in 12.1s $0.000 (5/5): stopped: wall-clock timeout reached');
    expect(lines).toContain('[ 20.5s] run 20261125-185444-8239 turn 2: 5 agents, up to 2 at once (simulated API)');
    // 2 turns: a header, 5 starts and 5 ends each, plus one retry; nothing for output lines.
    expect(lines.filter(Boolean)).toHaveLength(23);
  });

  it('names the queue worker an agent started on (--queue)', () => {
    const text = replay([
      { type: 'run.start', runId: 'r', ts: 0, agents: ['a'], turn: 1, concurrency: 1, simulated: false },
      { type: 'agent.start', runId: 'r', ts: 40, agentId: 'a', turn: 1, attempt: 2, workspace: '/srv/herd/r/a', worker: 'build-7' },
    ]);
    expect(text.split('\n')[1]).toBe('[  40ms] a started on worker build-7 (attempt 2)');
  });

  it('keeps escape sequences and newlines of agent text out of the log', () => {
    const text = replay([
      { type: 'run.start', runId: 'r', ts: 0, agents: ['a'], turn: 1, concurrency: 1, simulated: false },
      {
        type: 'agent.end',
        runId: 'r',
        ts: 1500,
        agentId: 'a',
        turn: 1,
        result: {
          id: 'a',
          status: 'failed',
          workspace: '/w',
          costUsd: 0,
          usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
          durationMs: 1500,
          attempts: 1,
          startedAt: '',
          endedAt: '',
          error: { reason: 'exit', message: 'boom\u001b[2J\u001b[31m red\nsecond line' },
        },
      },
      { type: 'run.warning', runId: 'r', ts: 1600, message: 'odd\u0007 thing' },
      { type: 'run.budget', runId: 'r', ts: 1700, level: 'cap', spentUsd: 1.2, limitUsd: 1, message: 'the run reached its spending cap' },
    ]);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect(text).toContain('[  1.5s] a failed in 1.5s $0.000 (1/1): boom red\n');
    // A control that is not a sequence is shown, inert (text/terminal-safe.ts).
    expect(text).toContain('warning: odd␇ thing\n');
    expect(text).toContain('[  1.7s] spending cap: the run reached its spending cap\n');
  });
});
