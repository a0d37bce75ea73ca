// The Gantt chart of one turn as plain SVG: one row per agent, a faint bar for the time it
// waited in the queue, a solid bar (coloured by status) for the time it ran, a marker for
// every retry and an end cap for a timeout. Colours come from the page's CSS classes.

import { formatMs, formatUsd } from './format.js';
import { escapeHtml } from './html-escape.js';
import type { TimelineBar, TimelineTurn } from './timeline.js';

export const TIMELINE_LAYOUT = {
  labelWidth: 150,
  chartWidth: 700,
  rightMargin: 70,
  axisHeight: 26,
  rowHeight: 24,
  barHeight: 14,
  /** A zero-length turn (an agent that never ran) still gets a visible bar. */
  minBarWidth: 2,
} as const;

/**
 * `scaleMs`: the time the chart's full width stands for. The report passes the longest turn's
 * span to every turn, so turns are drawn on one scale and compare at a glance.
 */
export function renderTimelineSvg(turn: TimelineTurn, scaleMs: number = turn.spanMs): string {
  const { labelWidth, chartWidth, rightMargin, axisHeight, rowHeight } = TIMELINE_LAYOUT;
  const width = labelWidth + chartWidth + rightMargin;
  const height = axisHeight + rowHeight * turn.bars.length + 6;
  const span = Math.max(scaleMs, turn.spanMs, 1);
  const x = (ms: number) => round(labelWidth + (Math.min(ms, span) / span) * chartWidth);
  const rows = turn.bars.map((bar, index) => renderRow(bar, axisHeight + index * rowHeight, x));
  return [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="timeline of turn ${turn.turn}" data-scale-ms="${span}">`,
    renderAxis(span, x, height),
    ...rows,
    '</svg>',
  ].join('\n');
}

function renderRow(bar: TimelineBar, top: number, x: (ms: number) => number): string {
  const { rowHeight, barHeight, minBarWidth, labelWidth } = TIMELINE_LAYOUT;
  const barTop = top + (rowHeight - barHeight) / 2;
  const middle = top + rowHeight / 2;
  const parts: string[] = [`<g class="row" data-agent="${escapeHtml(bar.agentId)}">`];
  parts.push(`<text class="label" x="${labelWidth - 8}" y="${middle + 4}" text-anchor="end">${escapeHtml(clip(bar.agentId, 20))}</text>`);
  if (bar.startAtMs > bar.queuedAtMs) {
    const queuedMs = bar.startAtMs - bar.queuedAtMs;
    parts.push(
      `<rect class="queue" x="${x(bar.queuedAtMs)}" y="${barTop + barHeight / 4}" width="${Math.max(1, x(bar.startAtMs) - x(bar.queuedAtMs))}" height="${barHeight / 2}"><title>${escapeHtml(`${bar.agentId}: waited ${formatMs(queuedMs)} to start`)}</title></rect>`,
    );
  }
  const barX = x(bar.startAtMs);
  const barWidth = Math.max(minBarWidth, x(bar.endAtMs) - barX);
  parts.push(
    `<rect class="bar status-${bar.status}" data-agent="${escapeHtml(bar.agentId)}" data-turn="${bar.turn}" data-status="${bar.status}" x="${barX}" y="${barTop}" width="${round(barWidth)}" height="${barHeight}" rx="2"><title>${escapeHtml(describeBar(bar))}</title></rect>`,
  );
  for (const retry of bar.retries) {
    const rx = x(retry.atMs);
    parts.push(
      `<path class="retry" d="M${rx} ${barTop - 3} l4 ${barHeight / 2 + 3} l-4 ${barHeight / 2 + 3} l-4 ${-(barHeight / 2 + 3)} z"><title>${escapeHtml(`${retry.source === 'agent' ? 'API retry' : 'retry'} ${retry.attempt}${retry.status ? ` after HTTP ${retry.status}` : ''} at ${formatMs(retry.atMs)}`)}</title></path>`,
    );
  }
  if (bar.timedOut) {
    const endX = round(barX + barWidth);
    parts.push(
      `<line class="timeout-mark" x1="${endX}" y1="${barTop - 3}" x2="${endX}" y2="${barTop + barHeight + 3}"><title>stopped by a deadline (timeout or idle)</title></line>`,
    );
  }
  parts.push(`<text class="duration" x="${round(barX + barWidth + 6)}" y="${middle + 4}">${escapeHtml(formatMs(bar.durationMs))}</text>`);
  parts.push('</g>');
  return parts.join('');
}

function describeBar(bar: TimelineBar): string {
  const bits = [`${bar.agentId}, turn ${bar.turn}: ${bar.status}`, `ran ${formatMs(bar.durationMs)}`];
  if (bar.startAtMs > bar.queuedAtMs) bits.push(`waited ${formatMs(bar.startAtMs - bar.queuedAtMs)} to start`);
  if (bar.retries.length > 0) bits.push(`${bar.retries.length} retr${bar.retries.length === 1 ? 'y' : 'ies'}`);
  if (bar.attempts > 1) bits.push(`${bar.attempts} attempts`);
  bits.push(formatUsd(bar.costUsd));
  return bits.join(', ');
}

function renderAxis(spanMs: number, x: (ms: number) => number, height: number): string {
  const { axisHeight } = TIMELINE_LAYOUT;
  const stepMs = chooseTickStepMs(spanMs);
  const ticks: string[] = [];
  for (let ms = 0; ms <= spanMs + 1e-9; ms += stepMs) {
    const tx = x(ms);
    ticks.push(
      `<line class="grid" x1="${tx}" y1="${axisHeight - 4}" x2="${tx}" y2="${height - 4}"/><text class="tick" x="${tx}" y="${axisHeight - 10}" text-anchor="middle">${escapeHtml(formatTick(ms))}</text>`,
    );
  }
  return `<g class="axis">${ticks.join('')}</g>`;
}

/** A 1-2-5 step giving 4 to 10 ticks across the span. */
export function chooseTickStepMs(spanMs: number): number {
  const rough = Math.max(spanMs, 1) / 8;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  return Math.max(step, 1);
}

function formatTick(ms: number): string {
  return ms === 0 ? '0' : formatMs(ms);
}

const round = (value: number) => Math.round(value * 10) / 10;
const clip = (text: string, width: number) => ([...text].length <= width ? text : `${[...text].slice(0, width - 1).join('')}…`);
