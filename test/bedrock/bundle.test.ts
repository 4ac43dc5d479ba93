/**
 * What traceBedrock costs a bundle, measured with esbuild the way build.mjs bundles: it brings no @aws-sdk or
 * @smithy code (the SDK is the user's, imported as types only), and a bundle that does not use it pays nothing.
 */
import { describe, expect, it } from 'vitest';
import { bundleCode } from '../support/bundle.ts';

async function bundle(code: string): Promise<{ bytes: number; inputs: string[] }> {
  const out = await bundleCode(code);
  // Only the files that left code in the output: tree-shaken ones are listed as inputs with 0 bytes.
  const used = Object.values(out.metafile.outputs)[0]!.inputs;
  return { bytes: out.outputFiles[0]!.contents.byteLength, inputs: Object.keys(used).filter((f) => used[f]!.bytesInOutput > 0) };
}

describe('traceBedrock in a bundle', () => {
  it('imports no AWS SDK code and adds nothing to a bundle that does not use it', async () => {
    const without = await bundle("import { withLlmTracing } from './src/index.ts'; export const h = withLlmTracing(async () => 1);");
    const withBedrock = await bundle(
      "import { traceBedrock, withLlmTracing } from './src/index.ts'; export const h = withLlmTracing(async () => traceBedrock({}));",
    );
    expect(withBedrock.inputs.filter((i) => /@aws-sdk|@smithy/.test(i))).toEqual([]);
    expect(without.inputs.filter((i) => i.includes('src/bedrock/'))).toEqual([]);
    expect(withBedrock.inputs.some((i) => i.includes('src/bedrock/middleware.ts'))).toBe(true);
    expect(withBedrock.bytes).toBeGreaterThan(without.bytes);
    console.log(`bundle without traceBedrock ${without.bytes} B, with it ${withBedrock.bytes} B (+${withBedrock.bytes - without.bytes} B minified)`);
  });
});
