/** Model names, ids and the deterministic completion text every endpoint shares. */
import { createHash, randomBytes } from 'node:crypto';
import { badRequest } from './errors.ts';
import type { Json } from './types.ts';

/** Marker word present in every generated completion (text, JSON string values, tool arguments). */
export const MARKER = 'ZEPHYR';

const DATED_MODELS: Record<string, string> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  'gpt-4-turbo': 'gpt-4-turbo-2024-04-09',
  'gpt-3.5-turbo': 'gpt-3.5-turbo-0125',
  'o1': 'o1-2024-12-17',
  'o3': 'o3-2025-04-16',
  'o3-mini': 'o3-mini-2025-01-31',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
};

export const MODELS = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1-mini',
  'o4-mini',
  'gpt-5-mini',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

/** `gpt-4o-mini` → `gpt-4o-mini-2024-07-18`; already-dated names are kept; others get a fixed date. */
export function resolveModel(requested: string): string {
  if (/-\d{4}-\d{2}-\d{2}$/.test(requested) || /-\d{4}$/.test(requested)) return requested;
  return DATED_MODELS[requested] ?? `${requested}-2025-01-01`;
}

export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

export const REASONING_TOKENS = 64;

/** Unref'd: a pending fault delay must not keep a process alive after close(); open sockets do that while needed. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

export function shortHash(text: string, len = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, len);
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export function alnumId(len: number): string {
  const bytes = randomBytes(len);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}


/** Deterministic completion words; never contains the prompt, always starts with the marker. */
export function completionWords(promptText: string, choiceIndex: number): string[] {
  const tag = shortHash(promptText, 4);
  const words = [
    MARKER,
    `reply-${tag}${choiceIndex ? `-${choiceIndex}` : ''}:`,
    'the',
    'local',
    'model',
    'answers',
    'with',
    'this',
    'fixed',
    'deterministic',
    'sentence',
    'today.',
  ];
  return words;
}

export function wordsToDeltas(words: string[]): string[] {
  return words.map((w, i) => (i < words.length - 1 ? `${w} ` : w));
}

export function splitEvenly(text: string, size: number): string[] {
  if (text.length === 0) return [];
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts;
}

export function modelObject(id: string): Json {
  return { id, object: 'model', created: 1700000000, owned_by: id.startsWith('text-embedding') ? 'system' : 'openai' };
}

export function requireModel(body: Json): string {
  if (typeof body['model'] !== 'string' || body['model'].length === 0) {
    throw badRequest('you must provide a model parameter', 'model');
  }
  return body['model'];
}

export function serviceTier(body: Json): Json {
  const tier = body['service_tier'];
  if (typeof tier !== 'string') return {};
  return { service_tier: tier === 'auto' ? 'default' : tier };
}
