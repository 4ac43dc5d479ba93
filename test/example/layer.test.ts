// The extension as a Lambda layer (npm run build:layer, template.yaml's TracingExtensionLayer) and the README's
// own-function template: the folder the template names holds the file the NODE_OPTIONS line loads from /opt, and
// the README's template is valid SAM that the runner reads as the README says.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { resolveNodeBinary } from '../../tools/runner/client.ts';
import { loadFunctionConfig, parseTemplate } from '../../tools/runner/template.ts';
import { readmeBlocks } from '../support/readme.ts';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const SCHEMA = path.resolve(ROOT, '../shared/sam-schema/sam.schema.json');
const text = fs.readFileSync(path.join(ROOT, 'template.yaml'), 'utf8');
const doc = parseTemplate(text) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
const OPT_FILE = '/opt/lambda-llm-tracing/extension.mjs';

describe('npm run build:layer', () => {
  it('writes the layer folder template.yaml names: <ContentUri>/lambda-llm-tracing/extension.mjs, the package extension', () => {
    const layer = doc.Resources.TracingExtensionLayer!;
    expect(layer.Type).toBe('AWS::Serverless::LayerVersion');
    expect(layer.Properties).toMatchObject({ ContentUri: 'build/layer/', CompatibleRuntimes: ['nodejs22.x', 'nodejs24.x'] });
    // The comment beside it gives the NODE_OPTIONS a function using it sets.
    expect(text).toContain(`NODE_OPTIONS: --import ${OPT_FILE}`);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-layer-'));
    try {
      const printed = execFileSync(resolveNodeBinary(), [path.join(ROOT, 'scripts/build-layer.mjs'), '--outdir', out], { cwd: ROOT, encoding: 'utf8' });
      // Lambda unpacks a layer's zip under /opt: the folder's relative paths are the paths under /opt.
      const files = fs
        .readdirSync(out, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(out, path.join(e.parentPath, e.name)));
      expect(files.map((f) => `/opt/${f}`)).toEqual([OPT_FILE]);
      expect(printed).toContain(`→ ${OPT_FILE}`);
      const code = fs.readFileSync(path.join(out, 'lambda-llm-tracing/extension.mjs'), 'utf8');
      expect(code).toContain('/2020-01-01/extension/register');
      // Nothing imported: node:net comes from process.getBuiltinModule (an ES import of node:http would evaluate undici).
      expect(code.match(/\bfrom\s*"([^"]+)"/g)).toBeNull();
      expect(code).toContain('getBuiltinModule("node:net")');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it("the README's layer snippet loads the file the layer holds", () => {
    const snippet = readmeBlocks().find((b) => b.lang === 'yaml' && b.code.includes('AWS::Serverless::LayerVersion'));
    expect(snippet?.code).toContain('ContentUri: build/layer/');
    expect(snippet?.code).toContain(`NODE_OPTIONS: --import ${OPT_FILE}`);
  });
});

describe("the README's own-function template", () => {
  const block = readmeBlocks().find((b) => b.file === 'template.yaml');
  const own = parseTemplate(block?.code ?? '') as Record<string, unknown>;

  it('loads the extension from the task root and is read by the runner as the README says', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llt-own-'));
    try {
      fs.writeFileSync(path.join(dir, 'template.yaml'), block!.code);
      const fn = loadFunctionConfig({ template: path.join(dir, 'template.yaml'), functionId: 'MyFunction' });
      expect(fn).toMatchObject({ handler: 'index.handler', runtime: 'nodejs24.x', codeDir: path.join(dir, 'build/my-function') });
      expect(fn.environment.NODE_OPTIONS).toBe('--enable-source-maps --import /var/task/extension.mjs');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  if (fs.existsSync(SCHEMA)) {
    it('validates against the official SAM schema', () => {
      const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
      const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object);
      expect(validate(own), JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
    });
  } else {
    it('is not schema-checked here (../shared/sam-schema is absent; CI has it)', () => {
      if (process.env.CI) expect.fail(`${SCHEMA} is missing: CI must validate the README's template against the official SAM schema`);
      console.warn(`notice: ${SCHEMA} not found; skipping the schema check of the README's template`);
      expect(fs.existsSync(SCHEMA)).toBe(false);
    });
  }
});
