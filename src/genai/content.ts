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
/** Texts are not halved below this many characters while an older message can still be left out instead. */
const TEXT_FLOOR = 64;

/** Opt-in only: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, or the option. */
export function contentOptions(capture: boolean | undefined, maxChars: number | undefined, redact: ContentRedactor | undefined): ContentOptions {
  const fromEnv = env('OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT')?.toLowerCase() === 'true';
  const envMax = Number(env('LLM_TRACING_CONTENT_MAX_CHARS'));
  return {
    capture: capture ?? fromEnv,
    // An option of 0, a negative or NaN would record every text as a lone ellipsis: such an option is ignored.
    maxChars:
      maxChars !== undefined && Number.isInteger(maxChars) && maxChars > 0
        ? maxChars
        : Number.isInteger(envMax) && envMax > 0
          ? envMax
          : DEFAULT_CONTENT_MAX_CHARS,
    redact,
    attributeLimit:
      intSetting('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? intSetting('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  };
}

/** A tool call in neutral terms; `arguments` is the model's text (JSON for function tools). */
export interface ToolCall {
  id?: string;
  name: string;
  arguments?: string;
}
/** One part of an input message, in provider-neutral terms, before redaction and cutting. */
export type InputPart = { type: 'text'; text: string } | ({ type: 'tool_call' } & ToolCall) | { type: 'tool_call_response'; id?: string; response: string };
export interface InputMessage {
  role: string;
  parts: InputPart[];
}
/** A tool offered to the model, in the conventions' shape (`gen_ai.tool.definitions`). */
export interface ToolDefinition {
  type: string;
  name: string;
  description?: string;
  parameters?: unknown;
}
/** One output choice as an adapter gathered it. */
export interface OutputChoice {
  finishReason?: string;
  text?: string;
  toolCalls?: ToolCall[];
}

/** The conventions' JSON shape: a tool call's arguments are the parsed object, the text only when it does not parse. */
type Part =
  | { type: 'text'; content: string }
  | { type: 'tool_call'; id?: string; name: string; arguments?: unknown }
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
   * are shortened instead, halving the per-text limit until the whole fits, but not below a floor: a long
   * conversation of short messages would otherwise be recorded as a row of ellipses. Past the floor the oldest
   * messages go first (the latest led to this call), then the halving resumes; when one message alone does not
   * fit, nothing is recorded rather than broken JSON.
   */
  private json(value: Message[] | Part[]): string | undefined {
    const limit = this.options.attributeLimit;
    let json = this.shorten(value, TEXT_FLOOR);
    for (; json.length > limit && value.length > 1; json = JSON.stringify(value)) value = value.slice(1) as Message[] | Part[];
    if (json.length > limit) json = this.shorten(value, 1);
    return json.length <= limit ? json : undefined;
  }

  /** Halves every text of `value` (in place) until its JSON fits or the per-text limit reaches `floor`. */
  private shorten(value: Message[] | Part[], floor: number): string {
    let json = JSON.stringify(value);
    for (let max = this.options.maxChars; json.length > this.options.attributeLimit && max > floor; json = JSON.stringify(value)) {
      max = Math.max(floor, Math.floor(max / 2));
      for (const part of value.flatMap((v) => ('parts' in v ? v.parts : [v]))) {
        if (part.type === 'text') part.content = cut(part.content, max);
        else if (part.type === 'tool_call_response') part.response = cut(part.response, max);
        else if (part.arguments !== undefined) part.arguments = cut(typeof part.arguments === 'string' ? part.arguments : JSON.stringify(part.arguments), max);
      }
    }
    return json;
  }

  /** Input messages → `gen_ai.input.messages` JSON; texts redacted and cut, tool arguments as sensitive as text. */
  input(messages: InputMessage[]): string | undefined {
    // A message whose every part the redactor dropped goes too: an empty husk would still say who spoke.
    const recorded = messages.map((m) => ({ role: m.role, parts: this.parts(m.parts, 'input', m.role), had: m.parts.length }));
    return this.json(recorded.filter((m) => m.parts.length || !m.had).map(({ role, parts }) => ({ role, parts })));
  }

  /** Instructions given apart from the history → `gen_ai.system_instructions` JSON; none when nothing is left. */
  system(messages: InputMessage[]): string | undefined {
    const recorded = messages.flatMap((m) => this.parts(m.parts, 'input', m.role));
    return recorded.length ? this.json(recorded) : undefined;
  }

  /**
   * Tool definitions → `gen_ai.tool.definitions` JSON. Descriptions and schemas are the application's text, so
   * they are recorded only with content on; past the attribute limit the schemas go first, then descriptions.
   */
  tools(definitions: ToolDefinition[]): string | undefined {
    const bare = definitions.map(({ type, name }) => ({ type, name }));
    const described = definitions.map(({ parameters: _, ...rest }) => rest);
    for (const value of [definitions, described, bare]) {
      const json = JSON.stringify(value);
      if (json.length <= this.options.attributeLimit) return json;
    }
    return undefined;
  }

  /** Output messages, one per choice: text, and tool calls by name. */
  output(choices: OutputChoice[]): string | undefined {
    const messages: Message[] = choices.map((c) => {
      const parts: Part[] = [];
      if (c.text !== undefined) {
        const part = this.text(c.text, { direction: 'output', role: 'assistant' });
        if (part) parts.push(part);
      }
      for (const call of c.toolCalls ?? []) parts.push(this.toolCall(call, 'output'));
      return { role: 'assistant', parts, ...(c.finishReason ? { finish_reason: c.finishReason } : {}) };
    });
    return this.json(messages);
  }

  private parts(parts: InputPart[], direction: ContentInfo['direction'], role: string): Part[] {
    const out: Part[] = [];
    for (const p of parts) {
      if (p.type === 'text') {
        const part = this.text(p.text, { direction, role });
        if (part) out.push(part);
      } else if (p.type === 'tool_call_response') {
        const response = this.recorded(p.response, { direction, role });
        if (response !== undefined) out.push({ type: 'tool_call_response', id: p.id ?? '', response });
      } else {
        out.push(this.toolCall(p, direction));
      }
    }
    return out;
  }

  private toolCall(call: ToolCall, direction: ContentInfo['direction']): Part {
    // Arguments are model output built from the conversation: as sensitive as text, so redacted alike.
    const text = typeof call.arguments === 'string' ? this.recorded(call.arguments, { direction, role: 'assistant' }) : undefined;
    const args = text === undefined ? undefined : parsedArguments(text);
    return { type: 'tool_call', ...(typeof call.id === 'string' ? { id: call.id } : {}), name: call.name, ...(args !== undefined ? { arguments: args } : {}) };
  }
}

/** The parsed arguments when the text is a JSON object or array (a cut text no longer parses, and stays text). */
function parsedArguments(text: string): unknown {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
