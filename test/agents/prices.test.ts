// The price table: which entry prices a model, what tokens cost, and a user's price file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { costOf, DEFAULT_PRICES, loadPriceFile, mergePrices, priceOf } from '../../src/agents/prices.js';

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
