import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HerdEvent } from '../../src/events.js';
import { wantsColor } from '../../src/cli/output.js';
import { renderFrame } from '../../src/progress/frame.js';
import { applyEvent, countAgents, createSnapshot, estimateRemainingMs } from '../../src/progress/state.js';
import { createTtyProgress } from '../../src/progress/tty.js';
import { stripAnsi, VirtualTerminal } from './virtual-terminal.js';

/**
 * A real recording: 5 simulated agents at concurrency 3 (a tool call, an API retry, a timeout), then a
 * continue turn. The output events' `activity` and the tool's `file` were added from the same lines when
 * those fields came in (claude.ts maps them one to one).
 */
const recorded: HerdEvent[] = readFileSync(new URL('../report/fixtures/live-events.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as HerdEvent);

function replay(events: readonly HerdEvent[], terminal: VirtualTerminal, options: { color?: boolean; onEach?: (event: HerdEvent) => void } = {}) {
  let now = events[0]?.ts ?? 0;
  const progress = createTtyProgress(terminal, { throttleMs: 0, tickMs: 1e9, clock: () => now, color: options.color ?? false });
  for (const event of events) {
    now = event.ts;
    progress.listener(event);
    options.onEach?.(event);
  }
  progress.stop();
  return progress;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TTY progress renderer', () => {
  it('leaves one line per finished agent and clears the live frame at the end, with no garbage or wrapped lines', () => {
    const terminal = new VirtualTerminal(100, 30);
    replay(recorded, terminal);
    expect(terminal.garbage).toBe(0);
    expect(terminal.wrapped).toBe(0);
    const lines = terminal.lines();
    // Two turns of 5 agents: a header and 5 end lines each. The progress bar is gone: the final
    // table and account printed next say all it said.
    expect(lines).toHaveLength(12);
    expect(lines[0]).toBe('run 20261125-185444-8239 turn 1: 5 agents, up to 3 at once (simulated API)');
    expect(lines[6]).toBe('run 20261125-185444-8239 turn 2: 5 agents, up to 2 at once (simulated API)');
    expect(lines.filter((line) => /done ·/.test(line))).toEqual([]);
    expect(lines.find((line) => line.startsWith('sleeper'))).toMatch(/^sleeper\s+timeout\s+12\.1s\s+\$0\.000\s+stopped: wall-clock timeout reached$/);
    expect(lines.find((line) => line.startsWith('flaky'))).toMatch(/1 retry/);
  });

  it("shows what each running agent does in words a person reads, never the CLI's own line types", () => {
    const terminal = new VirtualTerminal(100, 30);
    const seen: string[] = [];
    replay(recorded, terminal, {
      onEach: (event) => {
        if (event.type === 'agent.tool' || event.type === 'agent.retry' || event.type === 'agent.start') seen.push(terminal.text());
      },
    });
    const atTool = seen.find((frame) => /using Write/.test(frame))!;
    expect(atTool).toMatch(/^builder {2}running {2}\s+4s {11}using Write on notes\.md$/m);
    expect(atTool).toMatch(/^flaky {4}retrying\s+4s\s+API retry 1 \(HTTP 529\)$/m);
    expect(atTool).toMatch(/^poet\s+running\s+4s\s+thinking$/m);
    expect(atTool).toMatch(/^\[-{20}\] 0\/5 done · 0 failed · 3 running · 2 queued · 4s · ETA \? · \$0\.000$/m);
    // Just started, nothing printed yet.
    expect(seen[0]).toMatch(/^poet\s+running\s+0s\s+starting$/m);
    const everything = terminal.writes.join('');
    for (const kind of ['system/init', 'result/success', 'assistant', 'tool Write']) expect(everything).not.toContain(kind);
  });

  it('keeps an agent in the same columns from its running row to its finished line', () => {
    const terminal = new VirtualTerminal(100, 30);
    let running = '';
    replay(recorded, terminal, { onEach: (event) => event.type === 'agent.tool' && (running = terminal.lines().find((line) => line.startsWith('builder'))!) });
    const finished = terminal.lines().find((line) => line.startsWith('builder'))!;
    // The state starts at one column and the time ends at one column (right-aligned), running or not.
    expect(running.indexOf('running')).toBe(finished.indexOf('succeeded'));
    expect(running.indexOf('4s') + 2).toBe(finished.indexOf('4.4s') + 4);
    // The activity starts where a finished line's turns column starts.
    expect(running.indexOf('using Write')).toBe(finished.indexOf('2 turns'));
  });

  it('fits every line to a narrow terminal and never grows taller than it', () => {
    const terminal = new VirtualTerminal(40, 6);
    const many: HerdEvent[] = [
      {
        type: 'run.start',
        runId: 'r',
        ts: 0,
        agents: Array.from({ length: 30 }, (_, index) => `agent-with-a-long-name-${index + 1}`),
        turn: 1,
        concurrency: 30,
        simulated: true,
      },
      ...Array.from({ length: 30 }, (_, index): HerdEvent => ({
        type: 'agent.start',
        runId: 'r',
        ts: 10 + index,
        agentId: `agent-with-a-long-name-${index + 1}`,
        turn: 1,
        attempt: 1,
        workspace: '/w',
      })),
    ];
    let frame = '';
    replay(many, terminal, { onEach: () => (frame = terminal.text()) });
    expect(terminal.wrapped).toBe(0);
    const [header, ...lines] = frame.split('\n');
    expect(header).toBe('run r turn 1: 30 agents, up to 30 at o…');
    // The live area stays below the terminal's height (6 rows), the header scrolled above it.
    expect(lines.length).toBeLessThanOrEqual(5);
    for (const line of lines) expect([...line].length).toBeLessThan(40);
    expect(frame).toMatch(/… and 27 more running/);
  });

  it('draws at a default size on a terminal that reports 0 x 0 (an unsized pty)', () => {
    let written = '';
    const progress = createTtyProgress({ write: (text: string) => (written += text), columns: 0, rows: 0 }, { throttleMs: 0, tickMs: 1e9 });
    progress.listener({ type: 'run.start', runId: 'r', ts: Date.now(), agents: ['a'], turn: 1, concurrency: 1, simulated: false });
    progress.listener({ type: 'agent.start', runId: 'r', ts: Date.now(), agentId: 'a', turn: 1, attempt: 1, workspace: '/w' });
    expect(written).toContain('run r turn 1: 1 agent, up to 1 at once');
    expect(written.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '')).toMatch(/^a {6}running {8}0s {11}starting$/m);
    progress.stop();
  });

  it('colours only when asked (NO_COLOR turns it off)', () => {
    const plain = new VirtualTerminal();
    replay(recorded.slice(0, 30), plain, { color: false });
    expect(plain.writes.join('')).not.toMatch(/\u001b\[3\dm/);
    const coloured = new VirtualTerminal();
    replay(recorded.slice(0, 30), coloured, { color: true });
    expect(coloured.writes.join('')).toMatch(/\u001b\[36mrunning/);
    expect(stripAnsi(coloured.text())).toBe(plain.text());
    expect(wantsColor({ NO_COLOR: '1' })).toBe(false);
    expect(wantsColor({ NO_COLOR: '' })).toBe(true);
    expect(wantsColor({ TERM: 'dumb' })).toBe(false);
    expect(wantsColor({})).toBe(true);
  });

  it('strips escape sequences and newlines that agent text carries', () => {
    const terminal = new VirtualTerminal(80, 10);
    let live = '';
    replay(
      [
        { type: 'run.start', runId: 'r', ts: 0, agents: ['a'], turn: 1, concurrency: 1, simulated: false },
        { type: 'agent.start', runId: 'r', ts: 1, agentId: 'a', turn: 1, attempt: 1, workspace: '/w' },
        { type: 'agent.output', runId: 'r', ts: 2, agentId: 'a', kind: 'assistant', excerpt: 'evil\u001b[2J\u001b[31mred\nnext line\u0007' },
        { type: 'run.warning', runId: 'r', ts: 3, message: 'careful\u001b[1A\u001b[2Kthere' },
        { type: 'agent.tool', runId: 'r', ts: 4, agentId: 'a', tool: 'Bash\u001b]0;title\u0007\u202e' },
      ],
      terminal,
      { onEach: () => (live = terminal.text()) },
    );
    expect(terminal.garbage).toBe(0);
    expect(terminal.writes.join('')).not.toMatch(/\u001b\]|\u0007|\u202e/);
    expect(live).toMatch(/evilred next line/);
    expect(terminal.text()).toMatch(/^warning: carefulthere$/m);
  });

  it('prints other messages (Ctrl-C notice) above the live area without tearing it', () => {
    const terminal = new VirtualTerminal(100, 30);
    const upToRetry = recorded.slice(0, recorded.findIndex((event) => event.type === 'agent.retry') + 1);
    let now = 0;
    const progress = createTtyProgress(terminal, { throttleMs: 0, tickMs: 1e9, clock: () => now });
    for (const event of upToRetry) {
      now = event.ts;
      progress.listener(event);
    }
    const before = terminal.lines();
    progress.print('\nSIGINT: stopping agents and saving the run record (press Ctrl-C again to kill them now)...\n');
    expect(terminal.garbage).toBe(0);
    // The header, then the message (after its blank line), then the same frame as before.
    expect(terminal.lines()).toEqual([
      before[0],
      '',
      'SIGINT: stopping agents and saving the run record (press Ctrl-C again to kill them now)...',
      ...before.slice(1),
    ]);
    progress.stop();
    // Once the area is gone, text goes straight through.
    progress.print('after\n');
    expect(terminal.writes.at(-1)).toBe('after\n');
  });

  it('redraws at most once per throttle interval, however many events arrive', () => {
    vi.useFakeTimers();
    const terminal = new VirtualTerminal();
    const progress = createTtyProgress(terminal, { throttleMs: 100, tickMs: 1e9 });
    progress.listener({ type: 'run.start', runId: 'r', ts: Date.now(), agents: ['a', 'b'], turn: 1, concurrency: 2, simulated: false });
    vi.advanceTimersByTime(1000);
    for (const agentId of ['a', 'b']) progress.listener({ type: 'agent.start', runId: 'r', ts: Date.now(), agentId, turn: 1, attempt: 1, workspace: '/w' });
    // a's start drew at once (the last draw was long ago); b's start and the 50 outputs that
    // follow within 50 ms share one redraw, 100 ms after the last one.
    const writesBefore = terminal.writes.length;
    for (let index = 0; index < 50; index += 1) {
      progress.listener({ type: 'agent.output', runId: 'r', ts: Date.now(), agentId: index % 2 ? 'a' : 'b', kind: 'assistant', activity: 'thinking' });
      vi.advanceTimersByTime(1);
    }
    expect(terminal.writes.length).toBe(writesBefore);
    vi.advanceTimersByTime(100);
    expect(terminal.writes.length).toBe(writesBefore + 1);
    expect(terminal.text()).toMatch(/^a\s+running\s+0s\s+thinking$/m);
    progress.stop();
  });

  it('keeps clocks moving between events with a slow tick', () => {
    vi.useFakeTimers();
    const terminal = new VirtualTerminal();
    const progress = createTtyProgress(terminal, { throttleMs: 100, tickMs: 1000 });
    progress.listener({ type: 'run.start', runId: 'r', ts: Date.now(), agents: ['a'], turn: 1, concurrency: 1, simulated: false });
    progress.listener({ type: 'agent.start', runId: 'r', ts: Date.now(), agentId: 'a', turn: 1, attempt: 1, workspace: '/w' });
    vi.advanceTimersByTime(5000);
    expect(terminal.text()).toMatch(/^a\s+running\s+5s/m);
    progress.stop();
  });
});

describe('progress state', () => {
  it('counts and estimates from the recorded run', () => {
    const snapshot = createSnapshot();
    const firstEnd = recorded.findIndex((event) => event.type === 'agent.end');
    for (const event of recorded.slice(0, firstEnd + 1)) applyEvent(snapshot, event);
    expect(countAgents(snapshot)).toMatchObject({ total: 5, done: 1, succeeded: 1, failed: 0, running: 2, queued: 2 });
    const now = recorded[firstEnd]!.ts;
    const remainingMs = estimateRemainingMs(snapshot, now)!;
    // poet took 3.8 s; two agents have ~0.1 s of that left and two queued need 3.8 s each on 3 lanes.
    expect(remainingMs).toBeGreaterThan(2000);
    expect(remainingMs).toBeLessThan(4000);
  });

  it('counts cancelled and skipped agents apart from failed ones', () => {
    const snapshot = createSnapshot();
    applyEvent(snapshot, { type: 'run.start', runId: 'r', ts: 0, agents: ['a', 'b', 'c'], turn: 1, concurrency: 3, simulated: false });
    const end = (agentId: string, status: 'timeout' | 'cancelled' | 'skipped'): HerdEvent => ({
      type: 'agent.end',
      runId: 'r',
      ts: 5,
      agentId,
      turn: 1,
      result: {
        id: agentId,
        status,
        workspace: '/w',
        costUsd: 0,
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
        durationMs: 0,
        attempts: 0,
        startedAt: '',
        endedAt: '',
      },
    });
    for (const event of [end('a', 'timeout'), end('b', 'cancelled'), end('c', 'skipped')]) applyEvent(snapshot, event);
    // A cancelled agent did not get its work done: the bar does not count it as done.
    expect(countAgents(snapshot)).toMatchObject({ done: 2, failed: 1, cancelled: 1, skipped: 1 });
    expect(renderFrame(snapshot, 10, { width: 120, height: 24, color: false })).toMatch(/2\/3 done · 1 failed · 1 cancelled · 1 skipped · 0 running/);
  });

  it('shows the run spending live against its cap, and the agents the cap stopped', () => {
    const snapshot = createSnapshot();
    applyEvent(snapshot, { type: 'run.start', runId: 'r', ts: 0, agents: ['a', 'b'], turn: 1, concurrency: 2, simulated: false, maxCostUsd: 1 });
    const frame = () => renderFrame(snapshot, 10, { width: 140, height: 24, color: false });
    expect(frame()).toMatch(/ · \$0\.000 of \$1\.000 cap$/m);
    applyEvent(snapshot, { type: 'agent.start', runId: 'r', ts: 1, agentId: 'a', turn: 1, attempt: 1, workspace: '/w' });
    applyEvent(snapshot, { type: 'agent.cost', runId: 'r', ts: 5, agentId: 'a', costUsd: 0.25, runCostUsd: 0.85, maxCostUsd: 1 });
    expect(frame()).toMatch(/ · \$0\.850 of \$1\.000 cap$/m);
    // The running agent's line shows its spending so far.
    expect(frame()).toMatch(/^a +running .*\$0\.250/m);
    const stopped = (agentId: string): HerdEvent => ({
      type: 'agent.end',
      runId: 'r',
      ts: 6,
      agentId,
      turn: 1,
      result: {
        id: agentId,
        status: 'budget',
        workspace: '/w',
        costUsd: 0.5,
        usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
        durationMs: 0,
        attempts: 1,
        startedAt: '',
        endedAt: '',
      },
    });
    applyEvent(snapshot, stopped('a'));
    applyEvent(snapshot, stopped('b'));
    expect(countAgents(snapshot)).toMatchObject({ done: 2, failed: 2, budget: 2 });
    expect(frame()).toMatch(/2\/2 done · 0 failed · 2 stopped at the cap · 0 running/);
  });

  it('has no estimate before any agent finished and zero once none is left', () => {
    const snapshot = createSnapshot();
    applyEvent(snapshot, { type: 'run.start', runId: 'r', ts: 0, agents: ['a'], turn: 1, concurrency: 1, simulated: false });
    expect(estimateRemainingMs(snapshot, 10)).toBeUndefined();
    expect(renderFrame(snapshot, 10, { width: 80, height: 24, color: false })).toMatch(/ETA \?/);
  });
});
