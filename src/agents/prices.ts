// The one price table: what a model call costs, from its token counts, for the models herd
// knows (USD per million tokens, as Anthropic lists them), overridable by a user JSON file
// (--prices / HERD_PRICES). herd uses it for the running estimate of an agent's spending
// between its model calls and its own reported total, and for agents that report no cost.

import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Usage } from '../types.js';

/** USD per million tokens. Cache reads and writes default to 0.1x and 1.25x input (5-minute cache). */
export interface ModelPrice {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * Model name (or the start of one, up to a `-` or `[`) -> price. The longest matching key wins,
 * so `claude-opus-4-1` beats `claude-opus-4`. `*` prices models no key matches.
 */
export type PriceTable = Record<string, ModelPrice>;

export const DEFAULT_PRICES: PriceTable = {
  // Opus 4.5 and later.
  'claude-opus-4': { input: 5, output: 25 },
  'claude-opus-4-0': { input: 15, output: 75 },
  'claude-opus-4-1': { input: 15, output: 75 },
  'claude-opus-4-20250514': { input: 15, output: 75 },
  'claude-3-opus': { input: 15, output: 75 },
  'claude-sonnet-4': { input: 3, output: 15 },
  'claude-3-7-sonnet': { input: 3, output: 15 },
  'claude-3-5-sonnet': { input: 3, output: 15 },
  'claude-haiku-4': { input: 1, output: 5 },
  'claude-3-5-haiku': { input: 0.8, output: 4 },
  'claude-3-haiku': { input: 0.25, output: 1.25 },
  // An unknown model is priced like the dearest one herd knows: a cap errs on the safe side.
  '*': { input: 15, output: 75 },
};

/** The price of `model` in `table` (see PriceTable for the matching). */
export function priceOf(model: string | undefined, table: PriceTable = DEFAULT_PRICES): ModelPrice {
  let best: string | undefined;
  if (model !== undefined) {
    for (const key of Object.keys(table)) {
      if (key === '*' || !(model === key || model.startsWith(`${key}-`) || model.startsWith(`${key}[`))) continue;
      if (best === undefined || key.length > best.length) best = key;
    }
  }
  return table[best ?? '*'] ?? DEFAULT_PRICES['*']!;
}

/** USD for these tokens at this model's price. */
export function costOf(model: string | undefined, usage: Usage, table: PriceTable = DEFAULT_PRICES): number {
  const price = priceOf(model, table);
  const perToken = (perMillion: number) => perMillion / 1_000_000;
  return (
    usage.inputTokens * perToken(price.input) +
    usage.outputTokens * perToken(price.output) +
    usage.cacheReadTokens * perToken(price.cacheRead ?? price.input * 0.1) +
    usage.cacheCreationTokens * perToken(price.cacheWrite ?? price.input * 1.25)
  );
}

/** The default table with the user's entries on top (an entry replaces the default of the same key). */
export function mergePrices(overrides: PriceTable | undefined): PriceTable {
  return overrides ? { ...DEFAULT_PRICES, ...overrides } : DEFAULT_PRICES;
}

/** Read a user price file: `{"<model>": {"input": 3, "output": 15, "cacheRead"?: 0.3, "cacheWrite"?: 3.75}, ...}` (USD per million tokens). */
export function loadPriceFile(file: string, label = '--prices'): PriceTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`${label}: cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${label}: ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parsePriceTable(parsed, `${label}: ${file}`);
}

export function parsePriceTable(value: unknown, source: string): PriceTable {
  if (!isObject(value)) throw new UsageError(`${source}: expected an object of model -> {"input": <usd per million>, "output": <usd per million>}`);
  const table: PriceTable = {};
  for (const [model, entry] of Object.entries(value)) {
    if (!isObject(entry)) throw new UsageError(`${source}: "${model}" must be an object like {"input": 3, "output": 15}`);
    const price: ModelPrice = { input: priceField(entry, 'input', model, source, true)!, output: priceField(entry, 'output', model, source, true)! };
    const cacheRead = priceField(entry, 'cacheRead', model, source, false);
    const cacheWrite = priceField(entry, 'cacheWrite', model, source, false);
    if (cacheRead !== undefined) price.cacheRead = cacheRead;
    if (cacheWrite !== undefined) price.cacheWrite = cacheWrite;
    const unknown = Object.keys(entry).filter((key) => !['input', 'output', 'cacheRead', 'cacheWrite'].includes(key));
    if (unknown.length > 0) throw new UsageError(`${source}: "${model}" has unknown field "${unknown[0]}" (allowed: input, output, cacheRead, cacheWrite)`);
    table[model] = price;
  }
  return table;
}

function priceField(entry: Record<string, unknown>, field: string, model: string, source: string, required: boolean): number | undefined {
  const value = entry[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new UsageError(`${source}: "${model}".${field} must be a number of USD per million tokens (0 or more), got ${JSON.stringify(value)}`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
