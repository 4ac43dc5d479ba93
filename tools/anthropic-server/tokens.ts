/**
 * Token counting of the local Anthropic server: about four characters a token, over the parts of a request in the
 * order the API reads (and caches) them: tools, then system, then messages.
 */
import type { Json } from './plan.ts';

/** One piece of the prompt in reading order, and whether it carries a `cache_control` breakpoint. */
export interface PromptPiece {
  text: string;
  breakpoint: boolean;
}

export function tokensFor(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

function blockText(block: unknown): string {
  if (typeof block === 'string') return block;
  const b = (block ?? {}) as Json;
  if (typeof b.text === 'string') return b.text;
  if (b.type === 'tool_use') return JSON.stringify(b.input ?? {});
  if (b.type === 'tool_result') return Array.isArray(b.content) ? b.content.map(blockText).join(' ') : String(b.content ?? '');
  return JSON.stringify(b);
}

function pieceOf(block: unknown): PromptPiece {
  const hasBreakpoint = typeof block === 'object' && block !== null && 'cache_control' in block;
  return { text: blockText(block), breakpoint: hasBreakpoint };
}

export function promptPieces(body: Json): PromptPiece[] {
  const pieces: PromptPiece[] = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    const { cache_control: cc, ...rest } = (tool ?? {}) as Json;
    pieces.push({ text: JSON.stringify(rest), breakpoint: cc !== undefined });
  }
  const system = body.system;
  if (typeof system === 'string') pieces.push({ text: system, breakpoint: false });
  else if (Array.isArray(system)) pieces.push(...system.map(pieceOf));
  for (const message of Array.isArray(body.messages) ? (body.messages as Json[]) : []) {
    const content = message?.content;
    if (typeof content === 'string') pieces.push({ text: content, breakpoint: false });
    else if (Array.isArray(content)) pieces.push(...content.map(pieceOf));
  }
  return pieces;
}

export function promptTokens(body: Json): number {
  return Math.max(
    1,
    promptPieces(body).reduce((sum, p) => sum + tokensFor(p.text), 0),
  );
}
