import { env, intSetting } from '../telemetry/config.js';
import { DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT } from '../telemetry/provider.js';

export interface ContentInfo {
  direction: 'input' | 'output';
  role: string;
}
/** Returns the text to record in place of `text`; `undefined` drops the part. */
export type ContentRedactor = (text: string, info: ContentInfo) => string | undefined;

export interface ContentOptions {
  capture: boolean;
  maxChars: number;
  redact: ContentRedactor | undefined;
  /** The tracer provider's attribute value limit: a longer value would be cut by the SDK, mid-JSON. */
  attributeLimit: number;
}

export const DEFAULT_CONTENT_MAX_CHARS = 2048;

/** Opt-in only: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, or the option. */
export function contentOptions(capture: boolean | undefined, maxChars: number | undefined, redact: ContentRedactor | undefined): ContentOptions {
  const fromEnv = env('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT')?.toLowerCase() === 'true';
  const envMax = Number(env('LLM_TRACING_CONTENT_MAX_CHARS'));
  return {
    capture: capture ?? fromEnv,
    maxChars: maxChars ?? (Number.isInteger(envMax) && envMax > 0 ? envMax : DEFAULT_CONTENT_MAX_CHARS),
    redact,
    attributeLimit:
      intSetting('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? intSetting('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  };
}

type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: string }
  | { type: 'tool_call_response'; id?: string; response: string };
interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

/**
 * Cuts a text so the message stays within the limit. The cut happens before serialisation, so the attribute is
 * always valid JSON, and a surrogate pair is never split.
 */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content
    .map((p: unknown) => {
      const part = p as { type?: unknown; text?: unknown; refusal?: unknown };
      return typeof part?.text === 'string' ? part.text : typeof part?.refusal === 'string' ? part.refusal : undefined;
    })
    .filter((t): t is string => t !== undefined);
  return texts.length ? texts.join('') : undefined;
}

export class ContentRecorder {
  private readonly options: ContentOptions;

  constructor(options: ContentOptions) {
    this.options = options;
  }

  get enabled(): boolean {
    return this.options.capture;
  }

  private recorded(text: string, info: ContentInfo): string | undefined {
    const redacted = this.options.redact ? this.options.redact(text, info) : text;
    return redacted === undefined ? undefined : cut(redacted, this.options.maxChars);
  }

  private text(text: string, info: ContentInfo): Part | undefined {
    const content = this.recorded(text, info);
    return content === undefined ? undefined : { type: 'text', content };
  }

  /**
   * Past the provider's attribute limit the SDK would cut the JSON itself and leave it unparseable, so the texts
   * are shortened instead, halving the per-text limit until the whole fits. When even the bare structure of a
   * long conversation is too long, the oldest messages go first (the latest led to this call); when one alone
   * does not fit, nothing is recorded rather than broken JSON.
   */
  private json(value: Message[] | Part[]): string | undefined {
    let json = JSON.stringify(value);
    for (let max = this.options.maxChars; json.length > this.options.attributeLimit && max > 1; json = JSON.stringify(value)) {
      max = Math.floor(max / 2);
      for (const part of value.flatMap((v) => ('parts' in v ? v.parts : [v]))) {
        if (part.type === 'text') part.content = cut(part.content, max);
        else if (part.type === 'tool_call_response') part.response = cut(part.response, max);
        else if (part.arguments !== undefined) part.arguments = cut(part.arguments, max);
      }
    }
    while (json.length > this.options.attributeLimit && value.length > 1) {
      value = value.slice(1) as Message[] | Part[];
      json = JSON.stringify(value);
    }
    return json.length <= this.options.attributeLimit ? json : undefined;
  }

  /** Chat Completions `messages` → the conventions' input messages and system instructions. */
  chatInput(messages: unknown): { input?: string; system?: string } | undefined {
    if (!Array.isArray(messages)) return undefined;
    const input: Message[] = [];
    const system: Part[] = [];
    for (const m of messages as { role?: unknown; content?: unknown; tool_calls?: unknown; tool_call_id?: unknown }[]) {
      const role = typeof m?.role === 'string' ? m.role : 'user';
      const text = textOf(m?.content);
      const parts: Part[] = [];
      if (role === 'tool') {
        const part = text === undefined ? undefined : this.text(text, { direction: 'input', role });
        if (part?.type === 'text') parts.push({ type: 'tool_call_response', id: String(m.tool_call_id ?? ''), response: part.content });
      } else if (text !== undefined) {
        const part = this.text(text, { direction: 'input', role });
        if (part) parts.push(part);
      }
      parts.push(...this.toolCalls(m?.tool_calls, 'input'));
      if (role === 'system' || role === 'developer') system.push(...parts);
      else input.push({ role, parts });
    }
    const inputJson = this.json(input);
    const systemJson = system.length ? this.json(system) : undefined;
    return { ...(inputJson !== undefined ? { input: inputJson } : {}), ...(systemJson !== undefined ? { system: systemJson } : {}) };
  }

  /** Responses API `input` (a string or items) and `instructions`. */
  responsesInput(input: unknown, instructions: unknown): { input?: string; system?: string } | undefined {
    const items = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
    const chat = this.chatInput(Array.isArray(items) ? items.filter((i) => typeof (i as { role?: unknown })?.role === 'string') : []);
    if (!chat) return undefined;
    if (typeof instructions === 'string') {
      const part = this.text(instructions, { direction: 'input', role: 'system' });
      const system = part ? this.json([part]) : undefined;
      if (system !== undefined) chat.system = system;
    }
    return chat;
  }

  private toolCalls(calls: unknown, direction: ContentInfo['direction']): Part[] {
    if (!Array.isArray(calls)) return [];
    return calls.map((c: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }) => {
      // Arguments are model output built from the conversation: as sensitive as text, so redacted alike.
      const args = typeof c?.function?.arguments === 'string' ? this.recorded(c.function.arguments, { direction, role: 'assistant' }) : undefined;
      return {
        type: 'tool_call' as const,
        ...(typeof c?.id === 'string' ? { id: c.id } : {}),
        name: String(c?.function?.name ?? ''),
        ...(args !== undefined ? { arguments: args } : {}),
      };
    });
  }

  /** Output messages, one per choice: text, and tool calls by name. */
  output(choices: { text?: string; toolCalls?: unknown; finishReason?: string }[]): string | undefined {
    const messages: Message[] = choices.map((c) => {
      const parts: Part[] = [];
      if (c.text !== undefined) {
        const part = this.text(c.text, { direction: 'output', role: 'assistant' });
        if (part) parts.push(part);
      }
      parts.push(...this.toolCalls(c.toolCalls, 'output'));
      return { role: 'assistant', parts, ...(c.finishReason ? { finish_reason: c.finishReason } : {}) };
    });
    return this.json(messages);
  }
}
