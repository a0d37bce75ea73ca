import { describe, expect, it } from 'vitest';
import { formatMs, formatUsd } from '../../src/report/format.js';
import { formatElapsed } from '../../src/progress/frame.js';

describe('durations as text', () => {
  it.each([
    [0, '0ms'],
    [999.4, '999ms'],
    [999.6, '1.0s'],
    [16_049, '16.0s'],
    [59_949, '59.9s'],
    [59_960, '1m00s'],
    [119_600, '2m00s'],
    [127_400, '2m07s'],
  ])('formatMs(%d) is %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  it.each([
    [0, '0s'],
    [59_400, '59s'],
    [59_600, '1m00s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h00m'],
    [-5, '0s'],
  ])('formatElapsed(%d) is %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('money as text', () => {
  it.each([
    [0, '$0.000'],
    [0.0001, '<$0.001'],
    [0.0042, '$0.004'],
    [0.016575, '$0.017'],
    [0.08478, '$0.085'],
    [12.3456, '$12.346'],
  ])('formatUsd(%d) is %s: one format, three decimals', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });
});
