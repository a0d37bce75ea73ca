// Compete + judge: what a judge is shown (every candidate's answer and the answer format
// it must use) and how its answer is read. The verdict is parsed strictly: exactly one
// winner, named by a `WINNER: <id>` line whose id is one of the candidates that succeeded.

import type { AgentResult } from '../types.js';

export interface Candidate {
  id: string;
  result: string;
  model?: string;
}

export interface Verdict {
  winner: string;
  reason: string;
}

/** The candidates, each under its own heading; failed ones are named so the judge knows they exist. */
export function renderCandidates(target: string, candidates: readonly Candidate[], notRunning: readonly AgentResult[]): string {
  const lines = [`Candidates for "${target}" (${candidates.length}): ${candidates.map((candidate) => candidate.id).join(', ')}`];
  for (const failed of notRunning) lines.push(`(${failed.id} ${failed.status} and is not a candidate)`);
  for (const candidate of candidates) {
    lines.push('', `### Candidate ${candidate.id}${candidate.model ? ` (model ${candidate.model})` : ''}`, candidate.result.trim());
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

/** Read the verdict; returns an error message (what was expected, what came) when it is not one. */
export function parseVerdict(answer: string | undefined, candidateIds: readonly string[]): Verdict | { error: string } {
  const expected = `expected a line "WINNER: <id>" with one of ${candidateIds.join(', ')}`;
  const named = [...(answer ?? '').matchAll(WINNER_LINE)].map((match) => match[1]!);
  if (named.length === 0) return { error: `the judge named no winner: ${expected}, got ${describeAnswer(answer)}` };
  const distinct = [...new Set(named)];
  if (distinct.length > 1) return { error: `the judge named ${distinct.length} winners (${distinct.join(', ')}); ${expected}, exactly one` };
  const winner = distinct[0]!;
  if (!candidateIds.includes(winner)) return { error: `the judge named "${winner}", which is not a candidate; ${expected}` };
  const reason = REASON_LINE.exec(answer ?? '')?.[1]?.trim() ?? textWithoutVerdict(answer ?? '');
  return { winner, reason };
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
