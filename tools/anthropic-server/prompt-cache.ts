/**
 * The prompt cache of the local Anthropic server: the prefix up to the last `cache_control` breakpoint is written
 * on its first use (`cache_creation_input_tokens`) and read on every later one (`cache_read_input_tokens`), per
 * model, as the API does. Bounded; `clear()` forgets it.
 */
import { createHash } from 'node:crypto';
import type { Json } from './plan.ts';
import { promptPieces, tokensFor } from './tokens.ts';

const MAX_ENTRIES = 500;

export interface CacheHit {
  created: number;
  read: number;
}

export class PromptCache {
  #seen = new Set<string>();

  lookup(body: Json): CacheHit {
    const pieces = promptPieces(body);
    const last = pieces.map((p) => p.breakpoint).lastIndexOf(true);
    if (last < 0) return { created: 0, read: 0 };
    const prefix = pieces.slice(0, last + 1);
    const tokens = prefix.reduce((sum, p) => sum + tokensFor(p.text), 0);
    const key = createHash('sha256')
      .update(String(body.model))
      .update(JSON.stringify(prefix.map((p) => p.text)))
      .digest('hex');
    if (this.#seen.has(key)) return { created: 0, read: tokens };
    if (this.#seen.size >= MAX_ENTRIES) this.#seen.clear();
    this.#seen.add(key);
    return { created: tokens, read: 0 };
  }

  clear(): void {
    this.#seen.clear();
  }
}
