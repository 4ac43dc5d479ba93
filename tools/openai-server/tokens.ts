/** Token counting: a deterministic stand-in (about four characters a token) for the prompt and the output. */
import type { Json } from './types.ts';

export function tokensForText(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Text of a chat/responses content value (string or array of parts); images count as 85 tokens' worth. */
export function contentText(content: unknown): { text: string; extraTokens: number } {
  if (typeof content === 'string') return { text: content, extraTokens: 0 };
  let text = '';
  let extraTokens = 0;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') text += part;
      else if (part && typeof part === 'object') {
        const p = part as Json;
        if (typeof p['text'] === 'string') text += p['text'];
        else if (p['type'] === 'image_url' || p['type'] === 'input_image') extraTokens += 85;
        else if (typeof p['output'] === 'string') text += p['output'];
      }
    }
  }
  return { text, extraTokens };
}

export function chatPromptTokens(body: Json): { tokens: number; text: string } {
  const messages: unknown[] = Array.isArray(body['messages']) ? body['messages'] : [];
  let tokens = 3;
  let all = '';
  for (const m of messages) {
    const msg = (m ?? {}) as Json;
    const { text, extraTokens } = contentText(msg['content']);
    all += text + '\n';
    tokens += 4 + tokensForText(text) + extraTokens;
    if (Array.isArray(msg['tool_calls'])) tokens += tokensForText(JSON.stringify(msg['tool_calls']));
  }
  if (Array.isArray(body['tools'])) tokens += tokensForText(JSON.stringify(body['tools']));
  if (body['response_format']) tokens += tokensForText(JSON.stringify(body['response_format']));
  return { tokens, text: all };
}

export function responsesPromptTokens(body: Json): { tokens: number; text: string } {
  let tokens = 3;
  let all = '';
  if (typeof body['instructions'] === 'string') {
    all += body['instructions'] + '\n';
    tokens += 4 + tokensForText(body['instructions']);
  }
  const input = body['input'];
  if (typeof input === 'string') {
    all += input;
    tokens += 4 + tokensForText(input);
  } else if (Array.isArray(input)) {
    for (const item of input) {
      const it = (item ?? {}) as Json;
      const { text, extraTokens } = contentText(it['content'] ?? it['output'] ?? it['arguments']);
      all += text + '\n';
      tokens += 4 + tokensForText(text) + extraTokens;
    }
  }
  if (Array.isArray(body['tools'])) tokens += tokensForText(JSON.stringify(body['tools']));
  if (body['text']) tokens += tokensForText(JSON.stringify(body['text']));
  return { tokens, text: all };
}

export function cachedTokens(promptTokens: number, body: Json): number {
  // Deterministic stand-in for prompt caching: long prompts, or an explicit prompt_cache_key, "hit" half.
  return promptTokens >= 1024 || typeof body['prompt_cache_key'] === 'string' ? Math.floor(promptTokens / 2) : 0;
}
