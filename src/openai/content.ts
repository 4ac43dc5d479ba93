import type { ModelInput } from '../genai/adapter.js';
import type { InputMessage, InputPart, ToolCall, ToolDefinition } from '../genai/content.js';
import { obj, str } from '../util.js';

/** The text of a message's `content`: a string, or the text (and refusal) parts joined. */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content
    .map((p: unknown) => {
      const part = p as { text?: unknown; refusal?: unknown } | null;
      return typeof part?.text === 'string' ? part.text : typeof part?.refusal === 'string' ? part.refusal : undefined;
    })
    .filter((t): t is string => t !== undefined);
  return texts.length ? texts.join('') : undefined;
}

/** Chat Completions tool calls (`{ id, function: { name, arguments } }`) in neutral terms. */
export function toolCallsOf(calls: unknown): ToolCall[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((c: unknown) => {
    const call = obj(c);
    const fn = obj(call?.function);
    return {
      ...(typeof call?.id === 'string' ? { id: call.id } : {}),
      name: String(fn?.name ?? ''),
      ...(typeof fn?.arguments === 'string' ? { arguments: fn.arguments } : {}),
    };
  });
}

/**
 * Chat Completions `messages` (or Responses message items): all of them are the history, system and developer
 * messages included, since the conventions keep `gen_ai.system_instructions` for instructions given apart.
 */
function chatMessages(messages: unknown[]): InputMessage[] {
  return messages.map((item) => {
    const m = obj(item);
    const role = str(m?.role) ?? 'user';
    const text = textOf(m?.content);
    const parts: InputPart[] = [];
    if (role === 'tool') {
      if (text !== undefined) parts.push({ type: 'tool_call_response', id: String(m?.tool_call_id ?? ''), response: text });
    } else if (text !== undefined) {
      parts.push({ type: 'text', text });
    }
    for (const call of toolCallsOf(m?.tool_calls)) parts.push({ type: 'tool_call', ...call });
    return { role, parts };
  });
}

/**
 * The request's `tools` in the conventions' shape: Chat Completions nests a function's fields under `function`
 * (a custom tool's under `custom`), Responses has them flat; a built-in tool (`web_search`, `file_search`) is
 * named by its type.
 */
export function toolDefinitions(tools: unknown): ToolDefinition[] {
  if (!Array.isArray(tools)) return [];
  const out: ToolDefinition[] = [];
  for (const t of tools) {
    const tool = obj(t);
    const type = str(tool?.type);
    if (!tool || !type) continue;
    const fields = obj(tool[type]) ?? tool;
    const name = str(fields.name) ?? str(tool.server_label) ?? type;
    const description = str(fields.description);
    const parameters = fields.parameters;
    out.push({ type, name, ...(description !== undefined ? { description } : {}), ...(parameters !== undefined ? { parameters } : {}) });
  }
  return out;
}

/**
 * The request's messages and tools in neutral terms: Chat Completions `messages`, or the Responses API's `input`
 * (a string or items) with `instructions` as the system instructions.
 */
export function openAIInput(params: Record<string, unknown>, responses: boolean): ModelInput | undefined {
  let messages: unknown = params.messages;
  if (responses) {
    const items = typeof params.input === 'string' ? [{ role: 'user', content: params.input }] : params.input;
    messages = Array.isArray(items) ? items.filter((i) => typeof (i as { role?: unknown } | null)?.role === 'string') : [];
  }
  if (!Array.isArray(messages)) return undefined;
  const input: ModelInput = { history: chatMessages(messages), tools: toolDefinitions(params.tools) };
  if (responses && typeof params.instructions === 'string') input.system = [{ role: 'system', parts: [{ type: 'text', text: params.instructions }] }];
  return input;
}
