// The one price table: what a model call costs, from its token counts, for the models herd
// knows (USD per million tokens, as Anthropic, OpenAI and Google list them), overridable by a
// user JSON file (--prices / HERD_PRICES). herd uses it for the running estimate of an agent's
// spending between its model calls and its own reported total (the run's cap), and for the cost
// of agents whose CLI reports none (codex, gemini: marked estimated on the result).

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
 * Model name (or the start of one, up to a `-`, `.` or `[`) -> price. The longest matching key
 * wins, so `claude-opus-4-1` beats `claude-opus-4` and `gpt-5.5` is priced as `gpt-5`. `*`
 * prices models no key matches.
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
  // OpenAI and Google list prices (standard tier, 2025). A newer version of a family is priced
  // as its family (`gpt-5.5` as `gpt-5`): an estimate, and labelled so.
  'gpt-5': { input: 1.25, cacheRead: 0.125, output: 10 },
  'gpt-5-codex': { input: 1.25, cacheRead: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cacheRead: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cacheRead: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cacheRead: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cacheRead: 0.1, output: 1.6 },
  o3: { input: 2, cacheRead: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cacheRead: 0.275, output: 4.4 },
  'gemini-2.5-pro': { input: 1.25, cacheRead: 0.31, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cacheRead: 0.075, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, cacheRead: 0.025, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, cacheRead: 0.025, output: 0.4 },
  // An unknown model is priced like the dearest one herd knows: a cap errs on the safe side.
  '*': { input: 15, output: 75 },
};

/** The key of `table` that prices `model` (see PriceTable for the matching), or undefined when only `*` would. */
export function priceKeyOf(model: string | undefined, table: PriceTable = DEFAULT_PRICES): string | undefined {
  if (model === undefined) return undefined;
  const name = model.trim().toLowerCase();
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    const lower = key.toLowerCase();
    if (key === '*' || !(name === lower || ['-', '.', '['].some((separator) => name.startsWith(`${lower}${separator}`)))) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  return best;
}

/** The price of `model` in `table` (see PriceTable for the matching). */
export function priceOf(model: string | undefined, table: PriceTable = DEFAULT_PRICES): ModelPrice {
  return table[priceKeyOf(model, table) ?? '*'] ?? DEFAULT_PRICES['*']!;
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

/**
 * The cost of an agent's turn when its CLI reports none (codex, gemini): undefined for a model
 * the table does not know, rather than the dearest price (that guess is only right for a cap).
 * Rounded to 1e-10 USD, so sums of many turns stay free of float dust.
 */
export function estimateCostUsd(model: string | undefined, usage: Usage, table: PriceTable = DEFAULT_PRICES): number | undefined {
  if (priceKeyOf(model, table) === undefined) return undefined;
  return Math.round(costOf(model, usage, table) * 1e10) / 1e10;
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

/** A user price file merged over the default table. */
export function loadPriceTable(file: string, label = '--prices'): PriceTable {
  return mergePrices(loadPriceFile(file, label));
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
