// Small formatting helpers shared by every text renderer.

export function formatMs(ms: number): string {
  // Each branch checks the value it will print after rounding: never "1000ms", "60.0s" or "1m60s".
  if (Math.round(ms) < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)}s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}

/**
 * The one money format: dollars to a tenth of a cent, always three decimals, so costs line up
 * in a column and read the same in every table, line and report. A cost too small to show is
 * "<$0.001", never "$0.000" (it was not free).
 */
export function formatUsd(usd: number): string {
  if (usd > 0 && usd < 0.0005) return '<$0.001';
  return `$${usd.toFixed(3)}`;
}

export function formatCount(count: number): string {
  return count >= 10_000 ? `${(count / 1000).toFixed(1)}k` : String(count);
}

/** The first non-empty line, shortened to `width` characters (by code point). */
export function firstLine(text: string | undefined, width: number): string {
  const line =
    (text ?? '')
      .split('\n')
      .find((candidate) => candidate.trim() !== '')
      ?.trim() ?? '';
  return truncate(line.replace(/\s+/g, ' '), width);
}

export function truncate(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}

/** Left-aligned columns separated by two spaces; `align` marks right-aligned columns. */
export function renderTable(header: string[], rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((title, column) => Math.max([...title].length, ...rows.map((row) => [...(row[column] ?? '')].length)));
  const renderRow = (row: string[]) =>
    row
      .map((cell, column) => {
        const pad = widths[column]! - [...cell].length;
        return rightAligned.has(column) ? ' '.repeat(pad) + cell : cell + (column === row.length - 1 ? '' : ' '.repeat(pad));
      })
      .join('  ');
  return [renderRow(header), ...rows.map(renderRow)].join('\n');
}

/**
 * A moment as a person reads it, in local time with its zone: "25 Nov 2026, 20:41:07 CET"; with
 * `timeOnly`, "20:41:07". `timeZone` (IANA name) defaults to the machine's.
 */
export function formatLocalTime(iso: string, options: { timeZone?: string; timeOnly?: boolean } = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const zone = options.timeZone === undefined ? {} : { timeZone: options.timeZone };
  const time = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' } as const;
  const format = options.timeOnly
    ? new Intl.DateTimeFormat('en-GB', { ...zone, ...time })
    : new Intl.DateTimeFormat('en-GB', { ...zone, ...time, year: 'numeric', month: 'short', day: 'numeric', timeZoneName: 'short' });
  return format.format(date);
}

/** Whether two moments fall on the same local day (so the second needs no date of its own). */
export function sameLocalDay(a: string, b: string, timeZone?: string): boolean {
  const day = new Intl.DateTimeFormat('en-CA', { ...(timeZone === undefined ? {} : { timeZone }), year: 'numeric', month: '2-digit', day: '2-digit' });
  return day.format(new Date(a)) === day.format(new Date(b));
}
