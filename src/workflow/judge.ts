// Compete + judge: what a judge is shown (every candidate's answer and the answer format
// it must use) and how its answer is read. A claude judge answers through structured output
// (`--json-schema` with the candidate ids as an enum), so its verdict is JSON the CLI has
// validated; other agents (and a judge whose CLI returned no structured output) are read
// strictly from text: exactly one `WINNER: <id>` line naming a candidate that succeeded.

import type { AgentResult } from '../types.js';

export interface Candidate {
  id: string;
  result: string;
  model?: string;
  /** On a repository: its check result and diff (see repo-candidates.ts). */
  work?: string;
}

export interface Verdict {
  winner: string;
  reason: string;
  /** Where the verdict was read: the agent's structured output, or its text; 'check': picked by check results (no judge agent). */
  source: 'structured' | 'text' | 'check';
}

/** The JSON Schema a claude judge must answer with: one of the candidate ids and a reason. */
export function verdictSchema(candidateIds: readonly string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      winner: { type: 'string', enum: [...candidateIds], description: 'id of the best candidate' },
      reason: { type: 'string', description: 'one sentence: why this candidate is the best' },
    },
    required: ['winner', 'reason'],
    additionalProperties: false,
  };
}

/** The candidates, each under its own heading; failed ones are named so the judge knows they exist. */
export function renderCandidates(target: string, candidates: readonly Candidate[], notRunning: readonly AgentResult[]): string {
  const lines = [`Candidates for "${target}" (${candidates.length}): ${candidates.map((candidate) => candidate.id).join(', ')}`];
  for (const failed of notRunning) lines.push(`(${failed.id} ${failed.status} and is not a candidate)`);
  for (const candidate of candidates) {
    lines.push('', `### Candidate ${candidate.id}${candidate.model ? ` (model ${candidate.model})` : ''}`, candidate.result.trim());
    if (candidate.work !== undefined) lines.push('', `Its work on the repository:`, candidate.work);
  }
  return lines.join('\n');
}

/**
 * The answer format, always the end of a judge's prompt. The `<one of: ...>` line is what
 * the simulate server recognises to produce a well-formed verdict.
 */
export function renderVerdictFormat(candidateIds: readonly string[]): string {
  return [
    'Judge the candidates. End your answer with exactly these two lines:',
    `WINNER: <one of: ${candidateIds.join(', ')}>`,
    'REASON: <one sentence: why this candidate is the best>',
  ].join('\n');
}

// Tolerates markdown emphasis and backticks around the label or the id, nothing else.
const WINNER_LINE = /^[\s>*_`]*WINNER[*_`]*\s*:[*_`]*\s*[*_`]*([^\s*_`]+)[*_`]*\s*$/gim;
const REASON_LINE = /^[\s>*_`]*REASON[*_`]*\s*:[*_`]*\s*(.+)$/im;

/**
 * Read the verdict: from structured output when the judge gave one, else from its text.
 * Returns an error message (what was expected, what came) when it is not a verdict.
 */
export function parseVerdict(answer: string | undefined, candidateIds: readonly string[], structuredOutput?: unknown): Verdict | { error: string } {
  if (structuredOutput !== undefined) return parseStructuredVerdict(structuredOutput, candidateIds);
  const expected = `expected a line "WINNER: <id>" with one of ${candidateIds.join(', ')}`;
  const named = [...(answer ?? '').matchAll(WINNER_LINE)].map((match) => match[1]!);
  if (named.length === 0) return { error: `the judge named no winner: ${expected}, got ${describeAnswer(answer)}` };
  const distinct = [...new Set(named)];
  if (distinct.length > 1) return { error: `the judge named ${distinct.length} winners (${distinct.join(', ')}); ${expected}, exactly one` };
  const winner = distinct[0]!;
  if (!candidateIds.includes(winner)) return { error: `the judge named "${winner}", which is not a candidate; ${expected}` };
  const reason = REASON_LINE.exec(answer ?? '')?.[1]?.trim() ?? textWithoutVerdict(answer ?? '');
  return { winner, reason, source: 'text' };
}

function parseStructuredVerdict(output: unknown, candidateIds: readonly string[]): Verdict | { error: string } {
  const record = typeof output === 'object' && output !== null ? (output as Record<string, unknown>) : {};
  const { winner, reason } = record;
  if (typeof winner !== 'string')
    return { error: `the judge's structured output has no "winner": expected one of ${candidateIds.join(', ')}, got ${JSON.stringify(output).slice(0, 200)}` };
  if (!candidateIds.includes(winner)) return { error: `the judge named "${winner}", which is not a candidate; expected one of ${candidateIds.join(', ')}` };
  return { winner, reason: typeof reason === 'string' ? reason.trim() : '', source: 'structured' };
}

function describeAnswer(answer: string | undefined): string {
  if (answer === undefined || answer.trim() === '') return 'an empty answer';
  const last = answer.trim().split('\n').pop()!.trim();
  return `an answer ending ${JSON.stringify(last.length > 80 ? `${last.slice(0, 80)}...` : last)}`;
}

/** Without a REASON line, the judge's own words (shortened) are the reason. */
function textWithoutVerdict(answer: string): string {
  const text = answer.replace(WINNER_LINE, '').replace(/\s+/g, ' ').trim();
  return text.length > 500 ? `${text.slice(0, 500)}...` : text;
}
