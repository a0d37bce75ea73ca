import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../src/simulate/conversation.js';
import { composeStructuredOutput } from '../../src/simulate/reply.js';

const ask = (current: string): Conversation => ({ prompts: [current], current, turn: 1, toolCallsThisTurn: 0, structuredOutputGiven: false, toolOutcomes: [] });

describe('composeStructuredOutput', () => {
  it('answers within the schema: const, bounds, unions, lengths, nullable types', () => {
    const output = composeStructuredOutput('a1', ask('Describe rivers'), {
      type: 'object',
      properties: {
        kind: { const: 'river' },
        none: { type: 'integer', maximum: 0 },
        many: { type: 'integer', minimum: 2.5 },
        ratio: { type: 'number', exclusiveMinimum: 3 },
        either: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
        title: { type: 'string', minLength: 80, maxLength: 90 },
        note: { type: ['string', 'null'] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
      },
    });
    expect(output).toMatchObject({ kind: 'river', none: 0, many: 3, ratio: 3.5, either: true, note: expect.stringMatching(/^\[simulated\]/) });
    expect((output.title as string).length).toBeGreaterThanOrEqual(80);
    expect((output.title as string).length).toBeLessThanOrEqual(90);
    expect(output.tags).toHaveLength(2);
  });

  it('is the same for the same agent and prompt, and names the [sim:winner] when it is allowed', () => {
    const schema = { type: 'object', properties: { winner: { type: 'string', enum: ['x', 'y', 'z'] }, reason: { type: 'string' } } };
    expect(composeStructuredOutput('j', ask('Pick one'), schema)).toEqual(composeStructuredOutput('j', ask('Pick one'), schema));
    expect(composeStructuredOutput('j', ask('Pick one [sim:winner z]'), schema)).toMatchObject({
      winner: 'z',
      reason: expect.stringContaining('z is the most'),
    });
  });
});
