// Owns the text of simulated answers: deterministic (a hash of agent + prompt + turn + role
// seeds the word choice), marked `[simulated]` at the start, aware of the role the user gave, of
// the turn number and the earlier prompt, and of the results of tool calls made this turn.
// Asked to judge (a `WINNER: <one of: a, b>` answer format, as herd's judge tasks ask), it
// ends with a well-formed verdict: the `[sim:winner <id>]` one, else a seeded pick.

import { createHash } from 'node:crypto';
import { isRecord, type Conversation, type ToolOutcome } from './conversation.js';
import { parseDirectives, stripDirectives } from './directives.js';

/**
 * The whole answer text for one request: the answer itself first (marked `[simulated]`, so a
 * one-line table shows what it says), then the tool results, then who answered in which turn,
 * then a judge's verdict (it must end the answer).
 */
export function composeReply(agent: string, conversation: Conversation): string {
  const prompt = stripDirectives(conversation.current);
  const pick = seededPicker([agent, conversation.current, conversation.turn, conversation.role ?? '']);
  const topic = topicOf(prompt);
  const [first = '', ...rest] = /\bhaiku\b/i.test(prompt) ? haiku(topic, pick) : sentences(topic, pick);
  const lines = [`[simulated] ${first}`, ...rest];
  if (conversation.toolOutcomes.length > 0) lines.push(toolLine(conversation.toolOutcomes));
  lines.push(contextLine(agent, conversation));
  lines.push(...verdict(agent, conversation.current, pick));
  return lines.join('\n');
}

/**
 * The input of the StructuredOutput tool under `--json-schema`: a value shaped by the schema,
 * from the same seed as the text answer. A string enum is a choice (a judge's `winner`): the
 * `[sim:winner]` one when it is allowed, else the same pick a `WINNER:` line would make.
 */
export function composeStructuredOutput(agent: string, conversation: Conversation, schema: Record<string, unknown>): Record<string, unknown> {
  const pick = seededPicker([agent, conversation.current, conversation.turn, 'structured']);
  const topic = topicOf(stripDirectives(conversation.current));
  const context: SampleContext = { pick, topic, choose: (options) => (context.chosen = chooseWinner(agent, conversation.current, options)) };
  const value = sampleJson(schema, 'answer', context);
  return isRecord(value) ? value : { answer: value };
}

interface SampleContext {
  pick: Pick;
  topic: string;
  choose: (options: readonly string[]) => string;
  /** The last choice made, so a `reason` can say what it is the reason for. */
  chosen?: string;
}

function sampleJson(schema: unknown, name: string, context: SampleContext): unknown {
  if (!isRecord(schema)) return `[simulated] ${name}`;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const strings = schema.enum.filter((option): option is string => typeof option === 'string');
    return strings.length === schema.enum.length ? context.choose(strings) : schema.enum[0];
  }
  // A union: its first branch is as good an answer as any.
  const branches: unknown = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches) && branches.length > 0) return sampleJson(branches[0], name, context);
  const type: unknown = Array.isArray(schema.type) ? (schema.type as unknown[]).find((candidate) => candidate !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, sampleJson(property, key, context)]));
    }
    case 'array': {
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      return Array.from({ length: count }, () => sampleJson(schema.items, name, context));
    }
    case 'integer':
    case 'number':
      return sampleNumber(schema, type === 'integer');
    case 'boolean':
      return true;
    case 'null':
      return null;
    default: {
      const text =
        name === 'reason' && context.chosen !== undefined
          ? `[simulated] ${context.chosen} is the most ${context.pick(ADJECTIVES)} of the candidates.`
          : `[simulated] ${name}: ${context.topic} is ${context.pick(ADJECTIVES)}`;
      const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
      const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
      return text.padEnd(minLength, '.').slice(0, maxLength);
    }
  }
}

/** 1 when the bounds allow it, else the nearest allowed value (whole for integers). */
function sampleNumber(schema: Record<string, unknown>, integer: boolean): number {
  const low =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + (integer ? 1 : 0.5)
        : Number.NEGATIVE_INFINITY;
  const high =
    typeof schema.maximum === 'number'
      ? schema.maximum
      : typeof schema.exclusiveMaximum === 'number'
        ? schema.exclusiveMaximum - (integer ? 1 : 0.5)
        : Number.POSITIVE_INFINITY;
  const value = Math.min(Math.max(1, low), high);
  return integer ? (Math.ceil(value) <= high ? Math.ceil(value) : Math.floor(value)) : value;
}

const VERDICT_FORMAT = /WINNER: <one of: ([^>\n]+)>/;

/** `WINNER:` and `REASON:` lines when the prompt asks for a verdict (or names one with [sim:winner]). */
function verdict(agent: string, prompt: string, pick: Pick): string[] {
  const named = parseDirectives(prompt).winner;
  const candidates =
    VERDICT_FORMAT.exec(prompt)?.[1]
      ?.split(',')
      .map((id) => id.trim())
      .filter(Boolean) ?? [];
  const winner = named ?? (candidates.length > 0 ? chooseWinner(agent, prompt, candidates) : undefined);
  if (winner === undefined) return [];
  return ['', `WINNER: ${winner}`, `REASON: [simulated] ${winner} is the most ${pick(ADJECTIVES)} of ${candidates.length || 'the'} candidates.`];
}

/** The `[sim:winner]` candidate if it is one of `options`, else a pick seeded by agent and prompt (the same for text and structured answers). */
function chooseWinner(agent: string, prompt: string, options: readonly string[]): string {
  const named = parseDirectives(prompt).winner;
  if (named !== undefined && options.includes(named)) return named;
  return seededPicker([agent, prompt, 'winner'])(options);
}

/** Who answers, in which role, which turn, and what was asked before: "(agent a1, as a poet, turn 2; earlier you asked: ...)". */
function contextLine(agent: string, conversation: Conversation): string {
  const role = conversation.role ? `, as ${conversation.role}` : '';
  const previous = conversation.prompts[conversation.prompts.length - 2];
  const earlier = conversation.turn > 1 && previous !== undefined ? `; earlier you asked: "${firstWords(stripDirectives(previous))}"` : '';
  return `(agent ${agent}${role}, turn ${conversation.turn}${earlier})`;
}

function toolLine(outcomes: ToolOutcome[]): string {
  const parts = outcomes.map((o) => `${o.name} ${o.isError ? 'failed' : 'ok'}${o.summary ? `: ${o.summary}` : ''}`);
  return `Tool results: ${parts.join('; ')}`;
}

/** Up to 8 words, so the quote stays short but recognisable. */
export function firstWords(text: string, count = 8): string {
  const words = text.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return '(directives only)';
  return words.length > count ? `${words.slice(0, count).join(' ')} ...` : words.join(' ');
}

const STOPWORDS = new Set([
  'about',
  'please',
  'write',
  'could',
  'would',
  'should',
  'there',
  'their',
  'which',
  'what',
  'with',
  'from',
  'that',
  'this',
  'make',
  'give',
  'tell',
  'some',
  'short',
  'into',
  'your',
  'and',
  'the',
  'for',
  'you',
  'now',
  'one',
  'how',
  'why',
  'who',
  'are',
  'can',
  'its',
  'too',
  'any',
]);

/** "Write a haiku about rivers" → "rivers"; otherwise the last meaningful word, or "the task". */
export function topicOf(prompt: string): string {
  const about = /\babout\s+([^.!?\n,;:]+)/i.exec(prompt)?.[1];
  if (about) return about.trim().split(/\s+/).slice(0, 4).join(' ');
  const words = prompt.toLowerCase().match(/[a-z][a-z'-]{2,}/g) ?? [];
  const meaningful = words.filter((w) => !STOPWORDS.has(w));
  return meaningful[meaningful.length - 1] ?? 'the task';
}

type Pick = <T>(items: readonly T[]) => T;

/** A picker driven by a small PRNG seeded from a hash, so the same input picks the same words. */
function seededPicker(parts: unknown[]): Pick {
  let seed = createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32LE(0);
  const next = (): number => {
    // mulberry32: tiny, good enough spread for word choice.
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
}

const ADJECTIVES = ['quiet', 'silver', 'slow', 'distant', 'pale', 'restless', 'golden', 'hidden', 'bright', 'cold', 'gentle', 'ancient'];
const TIMES = ['at dawn', 'at dusk', 'in rain', 'by moonlight', 'in winter', 'at noon'];
const CREATURES = ['a heron', 'one swallow', 'a fox', 'small fish', 'a crow', 'two moths'];
const MOTIONS = ['drifting through', 'waiting by', 'beside', 'circling over', 'asleep in'];
const PLACES = ['the reeds', 'the old stones', 'the long shadows', 'the morning fog', 'the open field'];
const ENDINGS = ['the stones remember', 'and then, only rain', 'the year turns over', 'nothing stays the same', 'a bell, far away', 'light finds its way home'];

/** Three short lines, loosely 5-7-5. */
function haiku(topic: string, pick: Pick): string[] {
  return [`${pick(ADJECTIVES)} ${topic} ${pick(TIMES)}`, `${pick(CREATURES)} ${pick(MOTIONS)} ${pick(PLACES)}`, pick(ENDINGS)];
}

const NOUNS = ['edge cases', 'interfaces', 'defaults', 'the data flow', 'naming', 'error paths', 'the tests', 'small steps'];
const VERBS = ['check', 'simplify', 'measure', 'write down', 'question', 'split up'];
const TEMPLATES: ReadonlyArray<(topic: string, pick: Pick) => string> = [
  (t, p) => `Short answer: ${t} comes down to ${p(ADJECTIVES)} ${p(NOUNS)}.`,
  (t, p) => `I would start by looking at ${p(NOUNS)}, then ${p(VERBS)} ${t}.`,
  (t, p) => `In short, ${t} is ${p(ADJECTIVES)} once you ${p(VERBS)} ${p(NOUNS)}.`,
  (t, p) => `Next step: ${p(VERBS)} ${p(NOUNS)} and see what changes for ${t}.`,
  (t, p) => `Worth noting: ${p(NOUNS)} around ${t} tend to stay ${p(ADJECTIVES)}.`,
];

/** One to three plausible sentences about the topic, each from a different template. */
function sentences(topic: string, pick: Pick): string[] {
  const count = 1 + pick([0, 1, 2]);
  const templates = [...TEMPLATES];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const template = pick(templates);
    templates.splice(templates.indexOf(template), 1);
    out.push(template(topic, pick));
  }
  return out;
}
