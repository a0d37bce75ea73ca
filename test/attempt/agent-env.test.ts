// What an agent inherits: with --simulate nothing may point any vendor's CLI at a real API or
// account; without it the user's environment passes through, herd's own values win over it.

import { describe, expect, it } from 'vitest';
import { buildAgentEnv } from '../../src/attempt/agent-env.js';

const inherited = {
  PATH: '/usr/bin',
  ANTHROPIC_API_KEY: 'a',
  OPENAI_API_KEY: 'o',
  OPENAI_BASE_URL: 'https://api.openai.com/v1',
  CODEX_HOME: '/home/me/.codex',
  GEMINI_API_KEY: 'g',
  GOOGLE_CLOUD_PROJECT: 'p',
  MY_TOOL: 'kept',
};

describe('buildAgentEnv', () => {
  it('drops every vendor API variable under --simulate, then adds what the simulation needs', () => {
    const env = buildAgentEnv({ inherited, simulate: { CODEX_HOME: '/run/.agent-homes/a', GEMINI_API_KEY: 'sk-herd-simulated' }, tag: 't' });
    expect(env).toMatchObject({ PATH: '/usr/bin', MY_TOOL: 'kept', CODEX_HOME: '/run/.agent-homes/a', GEMINI_API_KEY: 'sk-herd-simulated' });
    for (const name of ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'GOOGLE_CLOUD_PROJECT']) expect(env).not.toHaveProperty(name);
  });

  it('passes the user environment through against the real services', () => {
    const env = buildAgentEnv({ inherited, extra: { GEMINI_CLI_HOME: '/run/.agent-homes/a' }, tag: 't' });
    expect(env).toMatchObject({ OPENAI_API_KEY: 'o', CODEX_HOME: '/home/me/.codex', GEMINI_API_KEY: 'g', GEMINI_CLI_HOME: '/run/.agent-homes/a' });
  });
});
