// `npm run build:layer`: the folder of a Lambda layer holding our extension. Lambda unpacks a layer under /opt, so
// build/layer/lambda-llm-tracing/extension.mjs is /opt/lambda-llm-tracing/extension.mjs in every function that
// uses the layer (NODE_OPTIONS=--import /opt/lambda-llm-tracing/extension.mjs). template.yaml's
// TracingExtensionLayer has build/layer/ as its ContentUri.
//
//   node scripts/build-layer.mjs [--outdir build/layer]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeExtension } from './extension.mjs';

const LAYER_DIR = 'build/layer';
/** Where the extension is inside the layer, and so under /opt. */
const LAYER_EXTENSION = 'lambda-llm-tracing/extension.mjs';

const { values } = parseArgs({ options: { outdir: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log(
    'usage: npm run build:layer [-- --outdir build/layer]\nWrites <outdir>/lambda-llm-tracing/extension.mjs (/opt/lambda-llm-tracing/extension.mjs in the function).',
  );
} else {
  const file = await writeExtension(path.resolve(values.outdir ?? LAYER_DIR, LAYER_EXTENSION));
  console.log(`layer: ${path.relative(process.cwd(), file)} → /opt/${LAYER_EXTENSION}`);
}
