// What an answer cost when the agent's CLI does not say (codex and gemini report tokens only):
// tokens times a price table. The built-in table holds list prices herd knows, in US dollars per
// million tokens; a user's table (--prices <file> / HERD_PRICES, JSON of the same shape)
// replaces or adds models. Every cost computed here is marked estimated on the result.

import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Usage } from '../types.js';

export interface ModelPrice {
  /** USD per million uncached input tokens. */
  input: number;
  /** USD per million output tokens (reasoning included). */
  output: number;
  /** USD per million cached input tokens read (default: the input price). */
  cachedInput?: number;
  /** USD per million tokens written to a cache (default: the input price). */
  cacheWrite?: number;
}

export type PriceTable = Record<string, ModelPrice>;

/**
 * List prices (standard tier, USD per 1M tokens) as published by OpenAI and Google in 2025.
 * A model not listed is priced by the longest listed name it starts with ("gpt-5.5" as
 * "gpt-5"), so a newer version of a family gets its family's price: an estimate, and labelled so.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-codex': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
  'gemini-2.5-pro': { input: 1.25, cachedInput: 0.31, output: 10 },
  'gemini-2.5-flash': { input: 0.3, cachedInput: 0.075, output: 2.5 },
  'gemini-2.5-flash-lite': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gemini-2.0-flash': { input: 0.1, cachedInput: 0.025, output: 0.4 },
};

/** The price of `model` in `table`: its own entry, else the longest entry its name starts with. */
export function priceOf(model: string, table: PriceTable = DEFAULT_PRICES): ModelPrice | undefined {
  const name = model.trim().toLowerCase();
  if (table[name]) return table[name];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (name.startsWith(key.toLowerCase()) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}

/** USD for `usage` on `model`, or undefined when the table has no price for it. */
export function estimateCostUsd(model: string | undefined, usage: Usage, table: PriceTable = DEFAULT_PRICES): number | undefined {
  if (model === undefined) return undefined;
  const price = priceOf(model, table);
  if (!price) return undefined;
  const dollars =
    usage.inputTokens * price.input +
    usage.outputTokens * price.output +
    usage.cacheReadTokens * (price.cachedInput ?? price.input) +
    usage.cacheCreationTokens * (price.cacheWrite ?? price.input);
  // Rounded to 1e-10 USD: sums of many turns stay free of float dust.
  return Math.round((dollars / 1e6) * 1e10) / 1e10;
}

/**
 * A price table file: `{"<model>": {"input": 1.25, "output": 10, "cachedInput": 0.125}}`, merged
 * over the built-in one. Any problem is a usage error naming the file and the entry.
 */
export function loadPriceTable(file: string, base: PriceTable = DEFAULT_PRICES): PriceTable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--prices: cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`--prices: ${file}: expected a JSON object of model names to prices`);
  const table: PriceTable = { ...base };
  for (const [model, entry] of Object.entries(parsed as Record<string, unknown>)) table[model] = checkPrice(file, model, entry);
  return table;
}

function checkPrice(file: string, model: string, entry: unknown): ModelPrice {
  const fields = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
  const price: Partial<ModelPrice> = {};
  for (const key of ['input', 'output', 'cachedInput', 'cacheWrite'] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      throw new UsageError(`--prices: ${file}: "${model}".${key} must be a number of USD per million tokens, 0 or more`);
    price[key] = value;
  }
  if (price.input === undefined || price.output === undefined)
    throw new UsageError(`--prices: ${file}: "${model}" needs "input" and "output" (USD per million tokens)`);
  return price as ModelPrice;
}
