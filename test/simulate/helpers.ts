// Test helpers for the simulate server: build Messages API requests the way the claude CLI
// does, post them over real HTTP, and parse the Server-Sent Events that come back.

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** A system prompt shaped like the CLI's: billing header, self-description, big prompt + user text. */
export function cliSystem(userText = ''): Array<{ type: string; text: string }> {
  const big = [
    'You are an interactive agent that helps users with software engineering tasks.',
    '# Environment',
    ' - Primary working directory: /tmp/work/agent-from-cwd',
    ' - You are powered by the model named Opus 4.8.',
    'If you are weighing a choice, give a recommendation, not an exhaustive survey',
  ].join('\n');
  return [
    { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197;' },
    { type: 'text', text: "You are a Claude agent, built on Anthropic's Claude Agent SDK." },
    { type: 'text', text: userText ? `${big}\n\n${userText}` : big },
  ];
}

/** A first-turn user message with the date reminder the CLI prepends. */
export function cliUser(prompt: string): { role: string; content: Array<Record<string, unknown>> } {
  return {
    role: 'user',
    content: [
      { type: 'text', text: '<system-reminder>\nToday is 2026-11-25.\n</system-reminder>\n\n' },
      { type: 'text', text: prompt, cache_control: { type: 'ephemeral' } },
    ],
  };
}

export function messagesBody(messages: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'claude-test-model', max_tokens: 1024, stream: true, system: cliSystem(), messages, ...extra };
}

export function post(url: string, body: unknown, agent?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (agent !== undefined) headers['x-herd-agent'] = agent;
  return fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
}

export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const lines = chunk.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

/** Reassembles the streamed content blocks (text and tool_use input) like the SDK does. */
export function assemble(events: SseEvent[]): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  const json: string[] = [];
  for (const { event, data } of events) {
    const index = data.index as number;
    if (event === 'content_block_start') {
      blocks[index] = { ...(data.content_block as Record<string, unknown>) };
      json[index] = '';
    } else if (event === 'content_block_delta') {
      const delta = data.delta as Record<string, string>;
      const block = blocks[index] as Record<string, unknown>;
      if (delta.type === 'text_delta') block.text = `${String(block.text)}${delta.text}`;
      else json[index] = `${json[index] ?? ''}${delta.partial_json}`;
    } else if (event === 'content_block_stop') {
      const block = blocks[index] as Record<string, unknown>;
      if (block.type === 'tool_use') block.input = JSON.parse(json[index] || '{}');
    }
  }
  return blocks;
}

/** Posts a streaming request and returns the events plus the assembled blocks. */
export async function streamed(
  url: string,
  body: unknown,
  agent?: string,
): Promise<{ response: Response; events: SseEvent[]; blocks: Array<Record<string, unknown>>; text: string }> {
  const response = await post(`${url}/v1/messages?beta=true`, body, agent);
  const events = parseSse(await response.text());
  const blocks = assemble(events);
  const text = blocks
    .filter((b) => b.type === 'text')
    .map((b) => String(b.text))
    .join('');
  return { response, events, blocks, text };
}
