import type { ModelInput } from '../genai/adapter.js';
import type { InputMessage, InputPart, ToolDefinition } from '../genai/content.js';
import { obj, str } from '../util.js';

/** The text of a string or of its text blocks joined (a tool result's `content` is either). */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.map((b) => obj(b)?.text).filter((t): t is string => typeof t === 'string');
  return texts.length ? texts.join('') : undefined;
}

/** A content block in neutral terms: text, `tool_use` as a tool call, `tool_result` as a tool call response. */
function partOf(block: unknown): InputPart | undefined {
  if (typeof block === 'string') return { type: 'text', text: block };
  const b = obj(block);
  if (b?.type === 'text' && typeof b.text === 'string') return { type: 'text', text: b.text };
  if (b?.type === 'tool_use') {
    return { type: 'tool_call', ...(str(b.id) ? { id: str(b.id) } : {}), name: String(b.name ?? ''), arguments: JSON.stringify(b.input ?? {}) };
  }
  if (b?.type === 'tool_result') return { type: 'tool_call_response', id: String(b.tool_use_id ?? ''), response: textOf(b.content) ?? '' };
  return undefined;
}

function partsOf(content: unknown): InputPart[] {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks.map(partOf).filter((p): p is InputPart => p !== undefined);
}

function toolsOf(tools: unknown): ToolDefinition[] | undefined {
  if (!Array.isArray(tools) || tools.length === 0) return undefined;
  return tools.map((t) => {
    const tool = obj(t);
    return {
      type: 'function',
      name: String(tool?.name ?? ''),
      ...(str(tool?.description) ? { description: str(tool?.description) } : {}),
      ...(tool?.input_schema !== undefined ? { parameters: tool.input_schema } : {}),
    };
  });
}

/** The request's `messages`, its `system` parameter as the system instructions, and its `tools`. */
export function anthropicInput(params: Record<string, unknown>): ModelInput | undefined {
  if (!Array.isArray(params.messages)) return undefined;
  const history: InputMessage[] = params.messages.map((m) => ({ role: str(obj(m)?.role) ?? 'user', parts: partsOf(obj(m)?.content) }));
  const system = params.system === undefined ? undefined : [{ role: 'system', parts: partsOf(params.system) }];
  const tools = toolsOf(params.tools);
  return { history, ...(system ? { system } : {}), ...(tools ? { tools } : {}) };
}
