import { describe, expect, it } from 'vitest';
import {
  AGENT_RSS_BYTES,
  defaultConcurrency,
  defaultStartSlots,
  parseConcurrency,
  parseDuration,
  RUN_HOME_FILES,
  validateId,
  validateSeedFiles,
} from '../src/options.js';
import { LOCK_FILE } from '../src/store/run-lock.js';
import { EVENTS_FILE, RUN_FILE } from '../src/store/run-store.js';
import { REPORT_FILE } from '../src/report/write-report.js';

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

  it("refuses agent and task ids that name herd's own files in a run directory, in any case, and latest as a run id", () => {
    // The list in options.ts names exactly the files store/ and report/ write there.
    expect([...RUN_HOME_FILES].sort()).toEqual([RUN_FILE, EVENTS_FILE, LOCK_FILE, REPORT_FILE].sort());
    for (const bad of ['run.json', 'events.jsonl', 'run.lock', 'report.html', 'RUN.JSON', 'run.lock.takeover-1', 'run.json.1.tmp']) {
      expect(() => validateId('agent id', bad)).toThrow(`agent id "${bad}" is not allowed: herd keeps its own file of that name in the run's directory`);
      expect(() => validateId('task id', bad)).toThrow(/is not allowed/);
    }
    expect(validateId('agent id', 'run-json')).toBe('run-json');
    expect(validateId('run id', 'run.json')).toBe('run.json');
    expect(() => validateId('run id', 'Latest')).toThrow('run id "Latest" is not allowed: it stands for the newest run');
  });
});

describe('seed files', () => {
  it('refuses paths that leave the workspace, and paths that are both a file and a directory', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{ d: 'x', 'd/e': 'y' }, 'agent "a": files: "d/e": conflicts with "d" (one path cannot be a file and a directory)'],
      [{ 'd/e': 'y', d: 'x' }, 'agent "a": files: "d": conflicts with "d/e"'],
      [{ a: 'x', './a': 'y' }, 'agent "a": files: "./a": conflicts with "a"'],
      [{ '../x': 'y' }, 'agent "a": files: "../x": the path must be relative and stay inside the workspace'],
      [{ 'a/../../x': 'y' }, 'must be relative and stay inside the workspace'],
      [{ '/etc/passwd': 'y' }, 'must be relative and stay inside the workspace'],
      [{ '.': 'y' }, 'must be relative and stay inside the workspace'],
      [{ '': 'y' }, 'must be relative and stay inside the workspace'],
      [{ 'dir/': 'y' }, 'names a directory; give a file path'],
    ];
    for (const [files, message] of cases) expect(() => validateSeedFiles('agent "a"', files), JSON.stringify(files)).toThrow(message);
    expect(() => validateSeedFiles('agent "a"', { 'notes/a.txt': 'x', 'notes/b.txt': 'y', 'a/../c.txt': 'z' })).not.toThrow();
  });
});
