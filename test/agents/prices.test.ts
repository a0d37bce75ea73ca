// Cost estimates for CLIs that report tokens only: the built-in table, family fallback, a user's
// table file, and its validation.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCostUsd, loadPriceTable, priceOf } from '../../src/agents/prices.js';
import { UsageError } from '../../src/errors.js';
import { makeTempDir } from '../helpers.js';

const usage = (input: number, output: number, cached = 0) => ({ inputTokens: input, outputTokens: output, cacheReadTokens: cached, cacheCreationTokens: 0 });

describe('prices', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('prices input, cached input and output per million tokens', () => {
    // gpt-5: 1.25 in, 0.125 cached, 10 out.
    expect(estimateCostUsd('gpt-5', usage(1_000_000, 100_000, 2_000_000))).toBeCloseTo(1.25 + 1 + 0.25, 10);
    expect(estimateCostUsd('gemini-2.5-flash', usage(1000, 100))).toBeCloseTo(0.0003 + 0.00025, 10);
  });

  it('prices a newer version by its family (the longest known prefix), and knows nothing of others', () => {
    expect(priceOf('gpt-5.5')).toEqual(priceOf('gpt-5'));
    expect(priceOf('gemini-2.5-flash-lite-preview')).toEqual(priceOf('gemini-2.5-flash-lite'));
    expect(estimateCostUsd('mystery-model', usage(1000, 1000))).toBeUndefined();
    expect(estimateCostUsd(undefined, usage(1000, 1000))).toBeUndefined();
  });

  it("a user's table replaces and adds models", async () => {
    const file = path.join(dir.path, 'prices.json');
    await writeFile(file, JSON.stringify({ 'gpt-5': { input: 2, output: 20 }, 'my-model': { input: 1, output: 1, cachedInput: 0.5 } }));
    const table = loadPriceTable(file);
    expect(estimateCostUsd('gpt-5', usage(1_000_000, 0), table)).toBe(2);
    expect(estimateCostUsd('my-model', usage(0, 0, 1_000_000), table)).toBe(0.5);
    expect(estimateCostUsd('gemini-2.5-pro', usage(1_000_000, 0), table)).toBe(1.25);
  });

  it('a bad table is a usage error naming the file and entry', async () => {
    const file = path.join(dir.path, 'bad.json');
    await writeFile(file, JSON.stringify({ 'gpt-5': { input: 'cheap', output: 1 } }));
    expect(() => loadPriceTable(file)).toThrow(UsageError);
    expect(() => loadPriceTable(file)).toThrow(/"gpt-5".input must be a number/);
    expect(() => loadPriceTable(path.join(dir.path, 'missing.json'))).toThrow(/no such file/);
  });
});
