/**
 * What the local server answers to one Messages request, decided once and then sent either as one JSON Message or
 * as the SSE event sequence: deterministic text (never the prompt, always the marker word), a tool call when tools
 * are offered, `max_tokens` and `stop_sequence` stops, and usage with prompt-cache tokens.
 */
import type { Fault } from './faults.ts';
import { badRequest } from './faults.ts';
import { alnum } from './http.ts';
import type { PromptCache } from './prompt-cache.ts';
import { promptTokens } from './tokens.ts';

/** Marker word present in every generated text and tool argument. */
export const MARKER = 'ZEPHYR';

const WORDS = ['The', 'lighthouse', 'beam', 'sweeps', 'the', 'bay;', MARKER, 'keeps', 'watch', 'tonight.'];

export type Json = Record<string, unknown>;

export type PlannedBlock = { type: 'text'; text: string; pieces: string[] } | { type: 'tool_use'; id: string; name: string; input: Json; pieces: string[] };

export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export interface Plan {
  id: string;
  model: string;
  blocks: PlannedBlock[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';
  stopSequence: string | null;
  usage: Usage;
}

const DATED: Record<string, string> = {
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
};

/** `claude-sonnet-4-5` → its dated snapshot, as the API answers; dated names are kept. */
export function resolveModel(requested: string): string {
  if (/-\d{8}$/.test(requested)) return requested;
  return DATED[requested] ?? `${requested}-20250101`;
}

/** Checks what the real API checks first (400 `invalid_request_error` with its wording). */
export function validate(body: Json): { model: string; maxTokens: number; messages: Json[] } {
  const { model, max_tokens: maxTokens, messages } = body;
  if (typeof model !== 'string' || model.length === 0) throw badRequest('model: Field required');
  if (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1) {
    throw badRequest('max_tokens: Field required');
  }
  if (!Array.isArray(messages) || messages.length === 0) throw badRequest('messages: at least one message is required');
  return { model, maxTokens, messages: messages as Json[] };
}

export function planMessage(body: Json, cache: PromptCache, fault: Fault | undefined): Plan {
  const { model, maxTokens, messages } = validate(body);
  const total = promptTokens(body);
  const cached = cache.lookup(body);
  const tool = pickTool(body, messages);
  const limit = fault?.kind === 'maxTokens' ? Math.min(maxTokens, fault.tokens ?? 3) : maxTokens;
  const plan: Plan = {
    id: `msg_01${alnum(22)}`,
    model: resolveModel(model),
    blocks: [],
    stopReason: 'end_turn',
    stopSequence: null,
    usage: {
      input_tokens: Math.max(1, total - cached.read - cached.created),
      cache_creation_input_tokens: cached.created,
      cache_read_input_tokens: cached.read,
      output_tokens: 0,
    },
  };
  const words = stopAt(WORDS, body, plan);
  if (words.length > limit) plan.stopReason = 'max_tokens';
  const kept = words.slice(0, limit);
  plan.blocks.push({ type: 'text', text: kept.join(' '), pieces: kept.map((w, i) => (i === 0 ? w : ` ${w}`)) });
  plan.usage.output_tokens = kept.length;
  if (tool && plan.stopReason === 'end_turn') {
    const input = sample(tool.schema) as Json;
    const json = JSON.stringify(input);
    const pieces = [json.slice(0, Math.ceil(json.length / 2)), json.slice(Math.ceil(json.length / 2))];
    plan.blocks.push({ type: 'tool_use', id: `toolu_01${alnum(22)}`, name: tool.name, input, pieces });
    plan.stopReason = 'tool_use';
    plan.usage.output_tokens += Math.ceil(json.length / 4);
  }
  return plan;
}

/** Cuts the words at the first requested stop sequence, as the model would. */
function stopAt(words: string[], body: Json, plan: Plan): string[] {
  const stops = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s) => typeof s === 'string') : [];
  const at = words.findIndex((w) => stops.includes(w));
  if (at < 0) return words;
  plan.stopReason = 'stop_sequence';
  plan.stopSequence = words[at]!;
  return words.slice(0, at);
}

/** A tool is called when tools are offered (not `none`) and the last turn is not a tool result. */
function pickTool(body: Json, messages: Json[]): { name: string; schema: unknown } | undefined {
  const tools = (Array.isArray(body.tools) ? body.tools : []) as Json[];
  const choice = (body.tool_choice ?? { type: 'auto' }) as Json;
  if (tools.length === 0 || choice.type === 'none') return undefined;
  const last = messages[messages.length - 1];
  const content = Array.isArray(last?.content) ? (last.content as Json[]) : [];
  if (content.some((b) => b?.type === 'tool_result')) return undefined;
  const named = choice.type === 'tool' ? tools.find((t) => t.name === choice.name) : undefined;
  const tool = named ?? tools[0]!;
  return { name: String(tool.name), schema: tool.input_schema };
}

/** A value matching a JSON schema, strings carrying the marker. */
function sample(schema: unknown, depth = 0): unknown {
  const s = (schema ?? {}) as Json;
  if (depth > 6) return null;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  switch (s.type) {
    case 'object': {
      const props = (s.properties ?? {}) as Json;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sample(v, depth + 1)]));
    }
    case 'array':
      return [sample(s.items, depth + 1)];
    case 'number':
    case 'integer':
      return 7;
    case 'boolean':
      return true;
    default:
      return `${MARKER} value`;
  }
}
