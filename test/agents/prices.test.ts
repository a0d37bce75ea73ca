// The price table: which entry prices a model, what tokens cost, and a user's price file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costOf, DEFAULT_PRICES, estimateCostUsd, loadPriceFile, loadPriceTable, mergePrices, priceOf } from '../../src/agents/prices.js';
import { UsageError } from '../../src/errors.js';
import { makeTempDir } from '../helpers.js';

const tokens = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheCreationTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadTokens,
  cacheCreationTokens,
});

describe('prices', () => {
  it('prices a model by the longest matching name, and an unknown one like the dearest', () => {
    expect(priceOf('claude-opus-4-8')).toEqual({ input: 5, output: 25 });
    expect(priceOf('claude-opus-4-1-20250805')).toEqual({ input: 15, output: 75 });
    expect(priceOf('claude-opus-4-20250514')).toEqual({ input: 15, output: 75 });
    expect(priceOf('claude-sonnet-4-5-20250929')).toEqual({ input: 3, output: 15 });
    expect(priceOf('claude-haiku-4-5')).toEqual({ input: 1, output: 5 });
    // A longer model name that only starts like a key, without a separator, is not that model.
    expect(priceOf('claude-opus-4-10')).toEqual({ input: 5, output: 25 });
    expect(priceOf('someone-elses-model')).toEqual(DEFAULT_PRICES['*']);
    expect(priceOf(undefined)).toEqual(DEFAULT_PRICES['*']);
  });

  it('charges cache reads at 0.1x and cache writes at 1.25x input unless the table says otherwise', () => {
    // The claude CLI's own figure for 9,754 input and 130 output tokens on claude-opus-4-8: $0.05202.
    expect(costOf('claude-opus-4-8', tokens(9754, 130))).toBeCloseTo(0.05202, 10);
    expect(costOf('claude-sonnet-4-5', tokens(0, 0, 1_000_000, 1_000_000))).toBeCloseTo(0.3 + 3.75, 10);
    const table = mergePrices({ 'my-model': { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 } });
    expect(costOf('my-model', tokens(1_000_000, 1_000_000, 5, 5), table)).toBeCloseTo(3, 10);
    expect(costOf('claude-opus-4-8', tokens(1_000_000, 0), table)).toBeCloseTo(5, 10);
  });

  it('reads a user price file and says what is wrong with a bad one, naming the file and the field', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'herd-prices-'));
    try {
      const good = path.join(dir, 'good.json');
      await writeFile(good, JSON.stringify({ 'claude-opus-4-8': { input: 4, output: 20 }, '*': { input: 1, output: 1 } }));
      expect(loadPriceFile(good)).toEqual({ 'claude-opus-4-8': { input: 4, output: 20 }, '*': { input: 1, output: 1 } });
      const bad = path.join(dir, 'bad.json');
      await writeFile(bad, JSON.stringify({ 'claude-opus-4-8': { input: 'five', output: 20 } }));
      expect(() => loadPriceFile(bad)).toThrow(`--prices: ${bad}: "claude-opus-4-8".input must be a number of USD per million tokens (0 or more), got "five"`);
      await writeFile(bad, JSON.stringify({ m: { input: 1, output: 1, cached: 1 } }));
      expect(() => loadPriceFile(bad, 'HERD_PRICES')).toThrow(/^HERD_PRICES: .*"m" has unknown field "cached"/);
      await writeFile(bad, '{');
      expect(() => loadPriceFile(bad)).toThrow(/is not valid JSON/);
      expect(() => loadPriceFile(path.join(dir, 'missing.json'))).toThrow(/cannot read .*missing\.json: no such file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const usage = (input: number, output: number, cached = 0) => ({ inputTokens: input, outputTokens: output, cacheReadTokens: cached, cacheCreationTokens: 0 });

describe('prices of codex and gemini models (no cost reported by their CLIs)', () => {
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
    await writeFile(file, JSON.stringify({ 'gpt-5': { input: 2, output: 20 }, 'my-model': { input: 1, output: 1, cacheRead: 0.5 } }));
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
