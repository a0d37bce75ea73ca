import { describe, expect, it } from 'vitest';
import { AGENT_RSS_BYTES, defaultConcurrency, defaultStartSlots, parseConcurrency, parseDuration, validateId } from '../src/options.js';

describe('concurrency', () => {
  const plenty = 64 * 1024 ** 3;
  it('defaults to all agents at once, with no fixed cap', () => {
    expect(defaultConcurrency(3, plenty)).toBe(3);
    expect(defaultConcurrency(10, plenty)).toBe(10);
    expect(defaultConcurrency(20, plenty)).toBe(20);
    expect(defaultConcurrency(150, plenty)).toBe(150);
  });

  it('gates starts by default only when more than 3 agents per core would start together', () => {
    expect(defaultStartSlots(5, 2)).toBe(0);
    expect(defaultStartSlots(6, 2)).toBe(0);
    expect(defaultStartSlots(7, 2)).toBe(2);
    expect(defaultStartSlots(8, 4)).toBe(0);
    expect(defaultStartSlots(13, 4)).toBe(4);
  });

  it('never starts more agents than free memory holds (~300 MB each, 20% kept free)', () => {
    expect(defaultConcurrency(8, 3 * AGENT_RSS_BYTES)).toBe(2);
    expect(defaultConcurrency(100, 50 * AGENT_RSS_BYTES)).toBe(40);
    expect(defaultConcurrency(8, 0)).toBe(1);
  });

  it('reads auto as the memory limit, and numbers as numbers', () => {
    expect(parseConcurrency('-c', 'auto', 20 * AGENT_RSS_BYTES)).toBe(16);
    expect(parseConcurrency('-c', 'auto', 0)).toBe(1);
    expect(parseConcurrency('-c', '3')).toBe(3);
    expect(() => parseConcurrency('-c', 'lots')).toThrow(/-c: expected a whole number from 1 to 1000, got "lots"/);
  });
});

describe('durations and ids', () => {
  it('parses durations with units', () => {
    expect(parseDuration('t', '250ms')).toBe(250);
    expect(parseDuration('t', '90s')).toBe(90_000);
    expect(parseDuration('t', '1.5m')).toBe(90_000);
    expect(parseDuration('t', '2')).toBe(2_000);
    expect(() => parseDuration('--timeout', '-1s')).toThrow(/--timeout: expected a duration/);
  });

  it('refuses ids that could leave the workspace root', () => {
    for (const bad of ['../x', '/abs', 'a/b', 'x\0y', '.hidden', 'a'.repeat(65), '', 'a..b']) {
      expect(() => validateId('agent id', bad)).toThrow(/is not allowed/);
    }
    expect(validateId('agent id', 'agent-1.v2_x')).toBe('agent-1.v2_x');
  });
});
