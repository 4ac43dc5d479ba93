import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';

const root = new URL('../..', import.meta.url).pathname;
const node = (code: string, type: 'module' | 'commonjs') =>
  execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], { cwd: root, encoding: 'utf8' }).trim();

describe('the published package', () => {
  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'pipe' });
  }, 120_000);

  it('imports as ESM through the exports map', () => {
    expect(node("import * as m from 'lambda-llm-tracing'; console.log(Object.keys(m).sort().join(','))", 'module')).toBe(
      'forceFlush,getTracer,injectTraceContext,shutdownTracing,traceAnthropic,traceBedrock,traceOpenAI,traceRecord,traceStep,withEventBridgeTraceContext,withLlmTracing,withSnsTraceContext,withSqsTraceContext',
    );
  });

  it('requires as CommonJS through the exports map, resolving to the CJS build', () => {
    const out = node("const m = require('lambda-llm-tracing'); console.log(typeof m.withLlmTracing, require.resolve('lambda-llm-tracing'))", 'commonjs');
    expect(out).toMatch(/^function .*dist\/cjs\/index\.js$/);
  });

  it('ships type declarations that resolve for both .mts and .cts consumers', () => {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    // Throws with the compiler's messages if the declarations do not resolve or type-check.
    execFileSync(process.execPath, [tsc, '-p', 'test/fixtures/package/tsconfig.json'], { cwd: root, encoding: 'utf8' });
  });

  it('reports the version package.json has', () => {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});
