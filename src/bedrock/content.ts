/**
 * Converse content in the core's neutral shape, which its recorder cuts and redacts: `messages` (tool use as
 * tool_call parts, tool results as the tool's tool_call_response), the `system` blocks, `toolConfig` as tool
 * definitions, and the output (a stream's deltas added to the choice as they pass).
 */
import type { InputMessage, InputPart, OutputChoice, ToolCall, ToolDefinition } from '../genai/content.js';
import { obj, str } from '../util.js';

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function toolResultText(result: Record<string, unknown>): string {
  return list(result['content'])
    .map((c) => str(obj(c)?.['text']) ?? (obj(c)?.['json'] !== undefined ? JSON.stringify(obj(c)!['json']) : ''))
    .join('');
}

function toolCallOf(use: Record<string, unknown>): ToolCall {
  const id = str(use['toolUseId']);
  return { ...(id ? { id } : {}), name: str(use['name']) ?? '', arguments: JSON.stringify(use['input'] ?? {}) };
}

/** One content block as a part; images, documents, cache points and the like are left out. */
function partOf(block: unknown): InputPart | undefined {
  const b = obj(block);
  const text = typeof b?.['text'] === 'string' ? b['text'] : undefined;
  if (text !== undefined) return { type: 'text', text };
  const use = obj(b?.['toolUse']);
  if (use) return { type: 'tool_call', ...toolCallOf(use) };
  const result = obj(b?.['toolResult']);
  if (!result) return undefined;
  const id = str(result['toolUseId']);
  return { type: 'tool_call_response', ...(id ? { id } : {}), response: toolResultText(result) };
}

const partsOf = (content: unknown): InputPart[] =>
  list(content)
    .map(partOf)
    .filter((p): p is InputPart => p !== undefined);

export function converseInput(input: Record<string, unknown>): { history: InputMessage[]; system?: InputMessage[]; tools?: ToolDefinition[] } {
  const history = list(input['messages']).map((m) => {
    const parts = partsOf(obj(m)?.['content']);
    // A user turn made only of tool results is the tool speaking, as the conventions have it.
    const role = parts.length > 0 && parts.every((p) => p.type === 'tool_call_response') ? 'tool' : (str(obj(m)?.['role']) ?? 'user');
    return { role, parts };
  });
  const system = partsOf(input['system']).filter((p) => p.type === 'text');
  const tools = converseTools(input['toolConfig']);
  return { history, ...(system.length ? { system: [{ role: 'system', parts: system }] } : {}), ...(tools.length ? { tools } : {}) };
}

function converseTools(toolConfig: unknown): ToolDefinition[] {
  return list(obj(toolConfig)?.['tools'])
    .map((t) => obj(obj(t)?.['toolSpec']))
    .filter((s): s is Record<string, unknown> => s !== undefined)
    .map((s) => ({
      type: 'function',
      name: str(s['name']) ?? '',
      ...(str(s['description']) ? { description: str(s['description']) } : {}),
      parameters: obj(s['inputSchema'])?.['json'],
    }));
}

/** Converse's output message into the choice: its text, and tool use as tool calls. */
export function converseOutput(choice: OutputChoice, message: unknown): void {
  const content = list(obj(message)?.['content']);
  const texts = content.map((b) => obj(b)?.['text']).filter((t): t is string => typeof t === 'string');
  if (texts.length) choice.text = texts.join('');
  const calls = content.map((b) => obj(obj(b)?.['toolUse'])).filter((u): u is Record<string, unknown> => u !== undefined);
  if (calls.length) choice.toolCalls = calls.map(toolCallOf);
}

/** A ConverseStream event into the choice; `tools` maps a content block index to its tool call. */
export function converseOutputEvent(choice: OutputChoice, tools: Map<number, ToolCall>, event: unknown): void {
  const e = obj(event);
  const start = obj(e?.['contentBlockStart']);
  const use = obj(obj(start?.['start'])?.['toolUse']);
  if (start && use) {
    const call: ToolCall = { id: str(use['toolUseId']) ?? '', name: str(use['name']) ?? '', arguments: '' };
    tools.set(Number(start['contentBlockIndex'] ?? 0), call);
    (choice.toolCalls ??= []).push(call);
  }
  const delta = obj(e?.['contentBlockDelta']);
  const d = obj(delta?.['delta']);
  if (!delta || !d) return;
  if (typeof d['text'] === 'string') choice.text = (choice.text ?? '') + d['text'];
  const input = obj(d['toolUse'])?.['input'];
  const call = tools.get(Number(delta['contentBlockIndex'] ?? 0));
  if (typeof input === 'string' && call) call.arguments = (call.arguments ?? '') + input;
}
