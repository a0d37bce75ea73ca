// The simulate server's side of compete + judge: asked for a verdict in herd's format it
// answers with one that parseVerdict accepts; [sim:winner <id>] chooses the winner.

import { describe, expect, it } from 'vitest';
import { parseDirectives } from '../../src/simulate/directives.js';
import { composeReply } from '../../src/simulate/reply.js';
import type { Conversation } from '../../src/simulate/conversation.js';
import { parseVerdict, renderVerdictFormat } from '../../src/workflow/judge.js';

const ask = (current: string): Conversation => ({ prompts: [current], current, turn: 1, toolCallsThisTurn: 0, structuredOutputGiven: false, toolOutcomes: [] });
const ids = ['solve-1', 'solve-2', 'solve-3'];

describe('simulated verdicts', () => {
  it('answers a judge prompt with a well-formed verdict, the same one every time', () => {
    const prompt = `Pick the best.\n\n${renderVerdictFormat(ids)}`;
    const reply = composeReply('pick', ask(prompt));
    const verdict = parseVerdict(reply, ids);
    expect(verdict).toMatchObject({ winner: expect.stringMatching(/^solve-[123]$/), reason: expect.stringContaining('[simulated]') });
    expect(composeReply('pick', ask(prompt))).toBe(reply);
  });

  it('names the winner a [sim:winner] directive asks for', () => {
    expect(parseDirectives('judge [sim:winner solve-3]').winner).toBe('solve-3');
    const reply = composeReply('pick', ask(`[sim:winner solve-3] Pick.\n\n${renderVerdictFormat(ids)}`));
    expect(parseVerdict(reply, ids)).toMatchObject({ winner: 'solve-3' });
  });

  it('adds no verdict to ordinary prompts', () => {
    expect(composeReply('agent-1', ask('Write about rivers'))).not.toMatch(/WINNER/);
  });
});
