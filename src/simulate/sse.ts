// Owns the wire format of a simulated answer: the Server-Sent Events sequence the claude CLI
// parses for `stream: true` (message_start … message_stop), and the plain JSON message for
// non-streaming requests. Knows nothing about how the answer was chosen.

import type { ServerResponse } from 'node:http';

export type ReplyBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface ReplyMessage {
  id: string;
  model: string;
  content: ReplyBlock[];
  stopReason: 'end_turn' | 'tool_use';
  inputTokens: number;
  outputTokens: number;
}

/** The usage object of the real API; cache fields are zero because nothing is cached. */
function usage(inputTokens: number, outputTokens: number): Record<string, number> {
  return { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

/** Non-streaming answer body (`stream` absent or false). */
export function messageJson(msg: ReplyMessage): Record<string, unknown> {
  return {
    id: msg.id,
    type: 'message',
    role: 'assistant',
    model: msg.model,
    content: msg.content,
    stop_reason: msg.stopReason,
    stop_sequence: null,
    usage: usage(msg.inputTokens, msg.outputTokens),
  };
}

function sendEvent(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

/**
 * Status line, SSE headers and message_start. Split out so a hanging answer can stop right
 * after it, as a stalled real stream would. Output tokens start at 1 like the real API.
 */
export function startStream(res: ServerResponse, msg: ReplyMessage): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': `req_${msg.id}`,
  });
  sendEvent(res, 'message_start', {
    message: { ...messageJson(msg), content: [], stop_reason: null, usage: usage(msg.inputTokens, 1) },
  });
}

/** The whole streamed answer: every block as start/delta…/stop, then message_delta/stop. */
export function writeStream(res: ServerResponse, msg: ReplyMessage): void {
  startStream(res, msg);
  msg.content.forEach((block, index) => writeBlock(res, block, index));
  sendEvent(res, 'message_delta', {
    delta: { stop_reason: msg.stopReason, stop_sequence: null },
    usage: { output_tokens: msg.outputTokens },
  });
  sendEvent(res, 'message_stop', {});
  res.end();
}

function writeBlock(res: ServerResponse, block: ReplyBlock, index: number): void {
  if (block.type === 'text') {
    sendEvent(res, 'content_block_start', { index, content_block: { type: 'text', text: '' } });
    for (const piece of chunks(block.text, 24)) {
      sendEvent(res, 'content_block_delta', { index, delta: { type: 'text_delta', text: piece } });
    }
  } else {
    // Tool input arrives as JSON text fragments, which the client concatenates and parses.
    sendEvent(res, 'content_block_start', {
      index,
      content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} },
    });
    for (const piece of chunks(JSON.stringify(block.input), 32)) {
      sendEvent(res, 'content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
  }
  sendEvent(res, 'content_block_stop', { index });
}

/** Several deltas per block, like a real stream, so clients exercise their concatenation. */
function chunks(text: string, size: number): string[] {
  const chars = Array.from(text); // by code point, so no emoji is split in half
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out.length > 0 ? out : [''];
}
