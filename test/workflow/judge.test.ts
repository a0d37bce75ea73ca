// Reading a judge's verdict: from claude's structured output when there is one, else strictly
// from text (one winner, a candidate, on a WINNER line).

import { describe, expect, it } from 'vitest';
import { parseVerdict, verdictSchema } from '../../src/workflow/judge.js';

const ids = ['solve-1', 'solve-2', 'solve-3'];

describe('parseVerdict', () => {
  it('reads the winner and the reason', () => {
    expect(parseVerdict('Both are fine but 2 handles unicode.\nWINNER: solve-2\nREASON: handles unicode', ids)).toEqual({
      winner: 'solve-2',
      reason: 'handles unicode',
      source: 'text',
    });
  });

  it('tolerates markdown emphasis and backticks', () => {
    expect(parseVerdict('**WINNER:** `solve-3`\n**REASON:** shortest', ids)).toEqual({ winner: 'solve-3', reason: 'shortest', source: 'text' });
    expect(parseVerdict('winner: solve-1', ids)).toMatchObject({ winner: 'solve-1' });
  });

  it("uses the judge's own words when there is no REASON line", () => {
    expect(parseVerdict('Candidate one is clearest.\nWINNER: solve-1', ids)).toEqual({
      winner: 'solve-1',
      reason: 'Candidate one is clearest.',
      source: 'text',
    });
  });

  it('rejects answers without exactly one valid winner, saying what was expected', () => {
    expect(parseVerdict('I like solve-2 best.', ids)).toEqual({
      error: 'the judge named no winner: expected a line "WINNER: <id>" with one of solve-1, solve-2, solve-3, got an answer ending "I like solve-2 best."',
    });
    expect(parseVerdict(undefined, ids)).toMatchObject({ error: expect.stringContaining('got an empty answer') });
    expect(parseVerdict('WINNER: solve-1\nWINNER: solve-2', ids)).toMatchObject({ error: expect.stringContaining('named 2 winners (solve-1, solve-2)') });
    expect(parseVerdict('WINNER: solve-9', ids)).toMatchObject({ error: expect.stringContaining('named "solve-9", which is not a candidate') });
    expect(parseVerdict('WINNER: solve-1 because it is short', ids)).toMatchObject({ error: expect.stringContaining('named no winner') });
    // The format line a judge may echo is not a verdict.
    expect(parseVerdict('WINNER: <one of: solve-1, solve-2>', ids)).toMatchObject({ error: expect.stringContaining('named no winner') });
  });

  it('accepts the same winner named twice', () => {
    expect(parseVerdict('WINNER: solve-2\n...\nWINNER: solve-2', ids)).toMatchObject({ winner: 'solve-2' });
  });

  it('prefers structured output, which must name a candidate', () => {
    const text = 'WINNER: solve-1';
    expect(parseVerdict(text, ids, { winner: 'solve-3', reason: 'fewest branches' })).toEqual({
      winner: 'solve-3',
      reason: 'fewest branches',
      source: 'structured',
    });
    expect(parseVerdict(text, ids, { winner: 'solve-9', reason: 'x' })).toEqual({
      error: 'the judge named "solve-9", which is not a candidate; expected one of solve-1, solve-2, solve-3',
    });
    expect(parseVerdict(text, ids, { pick: 'solve-1' })).toMatchObject({ error: expect.stringContaining('structured output has no "winner"') });
  });
});

describe('verdictSchema', () => {
  it('allows exactly the candidate ids and asks for a reason', () => {
    expect(verdictSchema(['a', 'b'])).toMatchObject({
      type: 'object',
      properties: { winner: { type: 'string', enum: ['a', 'b'] }, reason: { type: 'string' } },
      required: ['winner', 'reason'],
      additionalProperties: false,
    });
  });
});
