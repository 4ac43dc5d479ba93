/**
 * Deterministic model output: the same prompt gives the same reply, never an echo of the prompt, always with
 * the marker word; token counts are a fixed function of text length.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Fault } from './types.ts';

/** Marker word present in every generated reply. */
export const BEDROCK_MARKER = 'CIRRUS';

export const GUARDRAIL_MESSAGE = 'Sorry, the model cannot answer this question.';

const WORDS = ['the', 'harbour', 'light', 'turns', 'slowly', 'over', 'calm', 'grey', 'water', 'while', 'gulls', 'wait'];

export function tokensFor(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

export function hash(text: string, len = 12): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

export function requestId(): string {
  return randomUUID();
}

/** Why a reply stopped, in Converse's words; each family renders it in its own. */
export type StopReason = 'end_turn' | 'max_tokens' | 'guardrail_intervened' | 'tool_use';

export interface Reply {
  text: string;
  stopReason: StopReason;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The reply to a prompt. `maxTokens` (when the request set one) and the `maxTokens` fault cut it short;
 * the `guardrailIntervened` fault replaces it.
 */
export function reply(promptText: string, maxTokens: number | undefined, fault: Fault | undefined): Reply {
  const inputTokens = Math.max(1, tokensFor(promptText));
  if (fault?.kind === 'guardrailIntervened') {
    return { text: GUARDRAIL_MESSAGE, stopReason: 'guardrail_intervened', inputTokens, outputTokens: 0 };
  }
  const seed = parseInt(hash(promptText, 6), 16);
  const words = [BEDROCK_MARKER];
  for (let i = 0; i < 11; i++) words.push(WORDS[(seed + i * 7) % WORDS.length]!);
  const full = `${words.join(' ')}.`;
  const limit = fault?.kind === 'maxTokens' ? 3 : maxTokens;
  if (limit !== undefined && tokensFor(full) > limit) {
    const cut = full.slice(0, Math.max(0, limit * 4));
    return { text: cut, stopReason: 'max_tokens', inputTokens, outputTokens: tokensFor(cut) };
  }
  return { text: full, stopReason: 'end_turn', inputTokens, outputTokens: tokensFor(full) };
}

/** Splits text into about `parts` pieces at word boundaries (streams send one per delta event). */
export function pieces(text: string, parts = 4): string[] {
  const words = text.split(/(?<= )/);
  const size = Math.max(1, Math.ceil(words.length / parts));
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(''));
  return out.length ? out : [''];
}

/** A unit-length vector derived from the text: a sine wave whose phase and step come from its hash. */
export function embedding(text: string, dims: number): number[] {
  const seed = parseInt(hash(text, 8), 16);
  const phase = (seed % 1000) / 100;
  const step = 0.5 + ((seed >>> 10) % 100) / 50;
  const raw = Array.from({ length: dims }, (_, i) => Math.sin(phase + i * step));
  const norm = Math.sqrt(raw.reduce((n, v) => n + v * v, 0)) || 1;
  return raw.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}
