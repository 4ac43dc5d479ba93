/**
 * A bundle that does not use traceAnthropic pays nothing for it: esbuild (minified, as build.mjs bundles) leaves
 * every line of `src/anthropic/` out, and one that uses it carries it. Sizes belong in `npm run bench`.
 */
import { describe, expect, it } from 'vitest';
import { bundleCode, usingExports } from '../support/bundle.ts';

const bundle = async (names: string[]): Promise<string> => (await bundleCode(usingExports(names))).outputFiles[0]!.text;

// Strings that only src/anthropic/ holds.
const ANTHROPIC_ONLY = ['llm.anthropic.request_id', 'overloaded_error', 'model_context_window_exceeded'];

describe('tree-shaking', () => {
  it('withLlmTracing and traceOpenAI without traceAnthropic: no Anthropic code', async () => {
    const code = await bundle(['withLlmTracing', 'traceOpenAI']);
    for (const s of ANTHROPIC_ONLY) expect(code).not.toContain(s);
    expect(code).toContain('llm.openai.request_id');
  });

  it('with traceAnthropic: its code is there', async () => {
    const code = await bundle(['withLlmTracing', 'traceAnthropic']);
    for (const s of ANTHROPIC_ONLY) expect(code).toContain(s);
  });
});
