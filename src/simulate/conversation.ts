// Owns reading a Messages API request body the way the simulated model needs it: the real
// user prompts (without the CLI's injected blocks), the turn number, the tool calls already
// made in this turn and their results, the role from the system prompt, and a token estimate.

export interface ContentBlock {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  tool_use_id?: string;
  content?: unknown;
  is_error?: boolean;
}

export interface ApiMessage {
  role: string;
  content: string | ContentBlock[];
}

export interface MessagesRequest {
  model: string;
  messages: ApiMessage[];
  system?: string | ContentBlock[];
  stream?: boolean;
  /** input_schema of the StructuredOutput tool the CLI offers under --json-schema. */
  structuredOutputSchema?: Record<string, unknown>;
}

/** The tool claude adds for `--json-schema`: the model must call it once with the answer as its input. */
export const STRUCTURED_OUTPUT_TOOL = 'StructuredOutput';

/** What happened to one tool call the simulated model made earlier in this turn. */
export interface ToolOutcome {
  name: string;
  isError: boolean;
  /** First line of the tool's output, shortened. */
  summary: string;
}

export interface Conversation {
  /** Real user prompts, oldest first, as typed (directives included). */
  prompts: string[];
  /** The prompt of the current turn ('' when the request has none). */
  current: string;
  /** 1-based: how many real user prompts the request holds. */
  turn: number;
  /** tool_use blocks the assistant already sent after the current prompt. */
  toolCallsThisTurn: number;
  /** The StructuredOutput tool was already called this turn. */
  structuredOutputGiven: boolean;
  toolOutcomes: ToolOutcome[];
  /** e.g. "a poet" from "You are a poet"; absent when the user gave no role. */
  role?: string;
  /** The working directory the CLI states in its system prompt, if any. */
  cwd?: string;
}

/** Validates just enough of the body to work with; returns an error message otherwise. */
export function parseMessagesRequest(body: unknown): MessagesRequest | string {
  if (!isRecord(body)) return 'request body must be a JSON object';
  const { model, messages, system, stream, tools } = body;
  if (typeof model !== 'string' || model === '') return 'model: field required';
  if (!Array.isArray(messages)) return 'messages: field required';
  const request: MessagesRequest = { model, messages: messages.filter(isMessage).map(normalize) };
  if (typeof system === 'string' || Array.isArray(system)) {
    request.system = typeof system === 'string' ? system : system.filter(isBlock);
  }
  if (typeof stream === 'boolean') request.stream = stream;
  const structuredOutput: unknown = Array.isArray(tools)
    ? (tools as unknown[]).find((tool) => isRecord(tool) && tool.name === STRUCTURED_OUTPUT_TOOL)
    : undefined;
  if (isRecord(structuredOutput) && isRecord(structuredOutput.input_schema)) request.structuredOutputSchema = structuredOutput.input_schema;
  return request;
}

export function readConversation(request: MessagesRequest): Conversation {
  const prompts: string[] = [];
  let lastPromptIndex = -1;
  request.messages.forEach((message, index) => {
    if (message.role !== 'user') return;
    const text = realUserText(message.content);
    if (text === '') return;
    prompts.push(text);
    lastPromptIndex = index;
  });
  const since = request.messages.slice(lastPromptIndex + 1);
  const conversation: Conversation = {
    prompts,
    current: prompts[prompts.length - 1] ?? '',
    turn: Math.max(prompts.length, 1),
    toolCallsThisTurn: toolUses(since).length,
    structuredOutputGiven: toolUses(since).some((block) => block.name === STRUCTURED_OUTPUT_TOOL),
    toolOutcomes: toolOutcomes(since),
  };
  const systemText = systemToText(request.system);
  const role = findRole(systemText);
  if (role !== undefined) conversation.role = role;
  const cwd = /Primary working directory:\s*(.+)/.exec(systemText)?.[1]?.trim();
  if (cwd) conversation.cwd = cwd;
  return conversation;
}

/** ≈ chars/4 over system + messages, so the CLI computes a plausible non-zero cost. */
export function estimateInputTokens(request: MessagesRequest): number {
  const chars = JSON.stringify(request.system ?? '').length + JSON.stringify(request.messages).length;
  return Math.max(1, Math.ceil(chars / 4));
}

// Blocks the CLI adds to user messages on its own (context reminders, slash-command echoes,
// hook output). They are wrapped in these tags, so dropping the tags leaves the typed text.
const INJECTED_TAGS = /<(system-reminder|command-[\w-]+|local-command-[\w-]+|user-prompt-submit-hook|bash-(?:input|stdout|stderr))>[\s\S]*?<\/\1>/g;

/** The text a human typed in one user message; '' for tool results and injected context. */
export function realUserText(content: string | ContentBlock[]): string {
  const texts = typeof content === 'string' ? [content] : content.filter((b) => b.type === 'text' && typeof b.text === 'string').map((b) => b.text ?? '');
  return (
    texts
      .map((t) => t.replace(INJECTED_TAGS, '').trim())
      // The CLI prefixes local-command transcripts with this caveat; it is not a prompt.
      .filter((t) => t !== '' && !t.startsWith('Caveat: The messages below were generated'))
      .join('\n')
      .trim()
  );
}

function toolUses(messages: ApiMessage[]): ContentBlock[] {
  return messages
    .filter((m) => m.role === 'assistant')
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b) => b.type === 'tool_use');
}

/** Pairs each tool_result with the name of the tool_use it answers. */
function toolOutcomes(messages: ApiMessage[]): ToolOutcome[] {
  const names = new Map(toolUses(messages).map((b) => [b.id ?? '', b.name ?? 'tool']));
  return messages
    .filter((m) => m.role === 'user')
    .flatMap((m) => (Array.isArray(m.content) ? m.content : []))
    .filter((b) => b.type === 'tool_result')
    .map((b) => ({
      name: names.get(b.tool_use_id ?? '') ?? 'tool',
      isError: b.is_error === true,
      summary: firstLine(resultText(b.content)),
    }));
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter(isBlock)
    .map((b) => b.text ?? '')
    .join('\n');
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

export function systemToText(system: MessagesRequest['system']): string {
  if (system === undefined) return '';
  if (typeof system === 'string') return system;
  return system.map((b) => b.text ?? '').join('\n\n');
}

// "You are a poet", "You're an expert in Go", "Act as the narrator".
const ROLE = /\b(?:you are|you're|act as)\s+(a|an|the)\s+([^.!?\n,;:()]{2,60})/gi;
// Roles the CLI gives itself in its own system prompt (which wraps the user's text).
const CLI_ROLE = /claude|anthropic|interactive agent|software engineering|powered by|agent sdk/i;

/**
 * The role the user gave in --system-prompt / --append-system-prompt. The CLI embeds the
 * user's text in its own large prompt (appended text comes last), so the last "You are a X"
 * that is not one of the CLI's own self-descriptions wins.
 */
export function findRole(systemText: string): string | undefined {
  let role: string | undefined;
  for (const match of systemText.matchAll(ROLE)) {
    const phrase = (match[2] ?? '').trim().split(/\s+/).slice(0, 6).join(' ');
    if (phrase === '' || CLI_ROLE.test(phrase)) continue;
    role = `${(match[1] ?? 'a').toLowerCase()} ${phrase}`;
  }
  return role;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBlock(value: unknown): value is ContentBlock {
  return isRecord(value) && typeof value.type === 'string';
}

/** Drops non-object items from a content array so later code can read `.type` safely. */
function normalize(message: ApiMessage): ApiMessage {
  if (typeof message.content === 'string') return { role: message.role, content: message.content };
  return { role: message.role, content: (message.content as unknown[]).filter(isBlock) };
}

function isMessage(value: unknown): value is ApiMessage {
  if (!isRecord(value) || typeof value.role !== 'string') return false;
  return typeof value.content === 'string' || Array.isArray(value.content);
}
