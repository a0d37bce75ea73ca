// Drawing the live progress as text: one line per running agent plus the overall line, each
// cut to the terminal's width, and the permanent line an agent leaves when it ends. Pure
// (snapshot + time + width in, text out); progress-tty.ts decides when to draw.

import type { HerdEvent } from '../events.js';
import { firstLine, formatMs, formatUsd } from '../report/format.js';
import { terminalSafe } from '../text/terminal-safe.js';
import { countAgents, estimateRemainingMs, isActive, type LiveAgent, type LiveSnapshot, type LiveState } from './state.js';

export interface FrameOptions {
  /** Terminal columns; lines are kept one shorter so the cursor never wraps. */
  width: number;
  /** Terminal rows: the frame never grows taller than this minus one. */
  height: number;
  color: boolean;
}

type Tone = 'green' | 'red' | 'yellow' | 'cyan' | 'dim' | 'bold' | undefined;
interface Segment {
  text: string;
  tone?: Tone;
}

const ANSI: Record<Exclude<Tone, undefined>, [number, number]> = {
  green: [32, 39],
  red: [31, 39],
  yellow: [33, 39],
  cyan: [36, 39],
  dim: [2, 22],
  bold: [1, 22],
};

const STATE_TONE: Record<LiveState, Tone> = {
  queued: 'dim',
  running: 'cyan',
  retrying: 'yellow',
  succeeded: 'green',
  failed: 'red',
  timeout: 'red',
  cancelled: 'yellow',
  skipped: 'dim',
  budget: 'yellow',
};

const ID_WIDTH_MAX = 24;
/** "succeeded" and "cancelled", the longest states. */
const STATE_WIDTH = 9;
/** "59m59s", "12.1s". */
const TIME_WIDTH = 6;
/** "$0.017", "<$0.001". */
const COST_WIDTH = 7;
const BAR_WIDTH = 20;
const MIN_BAR_WIDTH = 10;

/** The live area: running agents (as many as fit), then the overall line. */
export function renderFrame(snapshot: LiveSnapshot, nowTs: number, options: FrameOptions): string {
  const idWidth = idColumnWidth(snapshot.agents);
  const running = snapshot.agents.filter(isActive);
  const footer = [overallLine(snapshot, nowTs, options.width), ...waitingLines(snapshot, nowTs)];
  const room = Math.max(0, options.height - 1 - footer.length);
  const shown = running.length > room ? running.slice(0, Math.max(0, room - 1)) : running;
  const lines = shown.map((agent) => agentLine(agent, nowTs, idWidth));
  if (shown.length < running.length) lines.push([{ text: `… and ${running.length - shown.length} more running`, tone: 'dim' }]);
  return [...lines, ...footer].map((line) => paint(fit(line, options.width - 1), options.color)).join('\n');
}

/** The line an agent leaves above the live area when it ends: the same columns as its running row. */
export function renderEndLine(agent: LiveAgent, idWidth: number, options: Pick<FrameOptions, 'width' | 'color'>): string {
  const segments = leadingColumns(agent, idWidth, formatMs(agent.durationMs ?? 0), formatUsd(agent.costUsd ?? 0));
  // Padded like a column, so the answers below one another start at one place.
  if (agent.numTurns !== undefined) segments.push({ text: `  ${plural(agent.numTurns, 'turn').padEnd(8)}` });
  if (agent.retries > 0) segments.push({ text: `  ${plural(agent.retries, 'retry', 'retries')}`, tone: 'yellow' });
  const detail = clean(firstLine(agent.detail, 200));
  if (detail) segments.push({ text: `  ${detail}`, tone: agent.state === 'succeeded' ? 'dim' : undefined });
  return paint(fit(segments, options.width - 1), options.color);
}

/**
 * id, state, time and cost in fixed columns, for running rows and finished lines alike, so
 * an agent's line does not shift when it ends.
 */
function leadingColumns(agent: LiveAgent, idWidth: number, time: string, cost: string): Segment[] {
  return [
    { text: truncateId(agent.id, idWidth).padEnd(idWidth), tone: isActive(agent) ? 'bold' : undefined },
    { text: '  ' },
    { text: agent.state.padEnd(STATE_WIDTH), tone: STATE_TONE[agent.state] },
    { text: `  ${time.padStart(TIME_WIDTH)}  ${cost.padStart(COST_WIDTH)}` },
  ];
}

/** The line a turn starts with, above the live area. */
export function renderRunHeader(event: Extract<HerdEvent, { type: 'run.start' }>, options: Pick<FrameOptions, 'width' | 'color'>): string {
  const agents = `${event.agents.length} agent${event.agents.length === 1 ? '' : 's'}`;
  const text = `run ${event.runId} turn ${event.turn}: ${agents}, up to ${event.concurrency} at once${event.simulated ? ' (simulated API)' : ''}`;
  return paint(fit([{ text, tone: 'bold' }], options.width - 1), options.color);
}

export function idColumnWidth(agents: readonly LiveAgent[]): number {
  return Math.min(ID_WIDTH_MAX, Math.max(5, ...agents.map((agent) => [...agent.id].length)));
}

function agentLine(agent: LiveAgent, nowTs: number, idWidth: number): Segment[] {
  const elapsedMs = nowTs - (agent.startedTs ?? nowTs);
  // Cost is known only at the end for claude: a blank column keeps the words aligned.
  const segments = leadingColumns(agent, idWidth, formatElapsed(elapsedMs), agent.costUsd === undefined ? '' : formatUsd(agent.costUsd));
  segments.push({ text: `  ${clean(agent.activity ?? 'starting')}` });
  if (agent.attempt > 1) segments.push({ text: `  (attempt ${agent.attempt})`, tone: 'yellow' });
  if (agent.excerpt) segments.push({ text: `  ${clean(agent.excerpt)}`, tone: 'dim' });
  return segments;
}

function overallLine(snapshot: LiveSnapshot, nowTs: number, width: number): Segment[] {
  const counts = countAgents(snapshot);
  const remainingMs = estimateRemainingMs(snapshot, nowTs);
  const segments: Segment[] = [
    { text: `${counts.done}/${counts.total} done`, tone: 'bold' },
    { text: ' · ' },
    { text: `${counts.failed - counts.budget} failed`, tone: counts.failed > counts.budget ? 'red' : 'dim' },
    ...(counts.budget > 0 ? [{ text: ` · ${counts.budget} stopped at the cap`, tone: 'yellow' as const }] : []),
    ...(counts.cancelled > 0 ? [{ text: ` · ${counts.cancelled} cancelled`, tone: 'yellow' as const }] : []),
    ...(counts.skipped > 0 ? [{ text: ` · ${counts.skipped} skipped` }] : []),
    { text: ` · ${counts.running} running · ${counts.queued} queued · ${formatElapsed(nowTs - snapshot.startedTs)}` },
  ];
  if (!snapshot.ended) segments.push({ text: ` · ETA ${remainingMs === undefined ? '?' : `~${formatElapsed(remainingMs)}`}` });
  segments.push(spendingSegment(snapshot, counts.costUsd));
  // The bar takes what room is left: on a narrow terminal the counts matter more.
  const used = segments.reduce((sum, segment) => sum + [...segment.text].length, 0);
  const barWidth = Math.min(BAR_WIDTH, width - 1 - used - 3);
  if (barWidth >= MIN_BAR_WIDTH) segments.unshift({ text: `${progressBar(counts.done, counts.total, barWidth)} ` });
  return segments;
}

/** What the run has spent: the live estimate against the cap when there is one (in yellow from 80% on). */
function spendingSegment(snapshot: LiveSnapshot, agentsUsd: number): Segment {
  // Agents' own sums leave out earlier turns; the budget's figure is the whole run's.
  const spent = snapshot.runCostUsd ?? agentsUsd;
  if (snapshot.maxCostUsd === undefined) return { text: ` · ${formatUsd(spent)}` };
  return { text: ` · ${formatUsd(spent)} of ${formatUsd(snapshot.maxCostUsd)} cap`, tone: spent >= snapshot.maxCostUsd * 0.8 ? 'yellow' : undefined };
}

function waitingLines(snapshot: LiveSnapshot, nowTs: number): Segment[][] {
  if (snapshot.waitingUntilTs === undefined || snapshot.waitingUntilTs <= nowTs || snapshot.ended) return [];
  return [
    [{ text: `waiting ${formatElapsed(snapshot.waitingUntilTs - nowTs)} before starting more agents: ${clean(snapshot.waitingReason ?? '')}`, tone: 'yellow' }],
  ];
}

function progressBar(done: number, total: number, width: number): string {
  const filled = total === 0 ? 0 : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** Whole seconds: a live clock that shows tenths flickers without saying more. */
export function formatElapsed(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

const plural = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`;

function truncateId(id: string, width: number): string {
  const chars = [...id];
  return chars.length <= width ? id : `${chars.slice(0, width - 1).join('')}…`;
}

/** Agent text may carry escape sequences or newlines: neutralised (text/terminal-safe.ts), on one line. */
export function clean(text: string): string {
  return terminalSafe(text).replace(/[\n\t]+/g, ' ');
}

/** Cut segments to `width` visible characters (code points), keeping their tones. */
function fit(segments: Segment[], width: number): Segment[] {
  const out: Segment[] = [];
  let left = Math.max(0, width);
  for (const segment of segments) {
    const chars = [...segment.text];
    if (chars.length <= left) {
      out.push(segment);
      left -= chars.length;
      continue;
    }
    if (left > 0) out.push({ ...segment, text: `${chars.slice(0, left - 1).join('')}…` });
    break;
  }
  return out;
}

function paint(segments: Segment[], color: boolean): string {
  return segments
    .map(({ text, tone }) => {
      if (!color || !tone) return text;
      const [open, close] = ANSI[tone];
      return `\u001b[${open}m${text}\u001b[${close}m`;
    })
    .join('');
}
