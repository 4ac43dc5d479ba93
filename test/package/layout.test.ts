// The house rules of "How the code is laid out" (README), checked on the sources so that a change breaking one
// fails here rather than in review: small files and functions, a src/ root of at most six files, and the one-way
// arrows between rooms (the extension imports nothing but http/, which imports nothing, genai/ knows no provider,
// providers know no Lambda).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SRC = path.join(ROOT, 'src');

function files(dir: string, ext = /\.(ts|mts|mjs|js)$/): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'peers' ? [] : files(p, ext);
    return ext.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

const rel = (p: string) => path.relative(ROOT, p);
const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

/** Every function-like node with its line count, named by file and start line. */
function functionLengths(file: string): { where: string; lines: number }[] {
  const sf = parse(file);
  const out: { where: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
      const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
      out.push({ where: `${rel(file)}:${start + 1}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The module specifiers a file imports or re-exports (static and dynamic). */
function imports(file: string): string[] {
  const sf = parse(file);
  const out: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The src/ room (first folder) a relative import of `file` lands in, or 'root' for src/*.ts. */
function roomOf(file: string, spec: string): string {
  const target = path.relative(SRC, path.resolve(path.dirname(file), spec));
  return target.includes(path.sep) ? target.split(path.sep)[0]! : 'root';
}

function roomImports(room: string): { file: string; spec: string; to: string }[] {
  return files(path.join(SRC, room)).flatMap((file) =>
    imports(file).map((spec) => ({ file: rel(file), spec, to: spec.startsWith('.') ? roomOf(file, spec) : `package:${spec}` })),
  );
}

describe('the layout rules', () => {
  it('src/ has at least four rooms and at most six files at its root; no src file is over 250 lines', () => {
    const entries = fs.readdirSync(SRC, { withFileTypes: true });
    expect(entries.filter((e) => e.isDirectory()).length).toBeGreaterThanOrEqual(4);
    expect(entries.filter((e) => e.isFile()).length).toBeLessThanOrEqual(6);
    const long = files(SRC)
      .map((f) => ({ file: rel(f), lines: fs.readFileSync(f, 'utf8').split('\n').length }))
      .filter((f) => f.lines > 250);
    expect(long).toEqual([]);
  });

  it('no function over 80 lines in src/, tools/, handlers/ or bench/', () => {
    const long = ['src', 'tools', 'handlers', 'bench']
      .flatMap((d) => files(path.join(ROOT, d), /\.(ts|mts)$/))
      .flatMap(functionLengths)
      .filter((f) => f.lines > 80);
    expect(long).toEqual([]);
  });

  it('the extension imports nothing of the rest: no package, no other room, only node: builtins (as types)', () => {
    const bad = roomImports('extension').filter((i) => i.to !== 'extension' && !i.spec.startsWith('node:'));
    expect(roomImports('extension').some((i) => i.spec === './http/client.js')).toBe(true);
    expect(bad).toEqual([]);
  });

  it('genai/ knows no provider and no Lambda; providers know no Lambda', () => {
    const providers = ['openai', 'anthropic', 'bedrock', 'stainless'];
    const genai = roomImports('genai').filter((i) => [...providers, 'lambda'].includes(i.to));
    expect(genai).toEqual([]);
    for (const p of providers) {
      const bad = roomImports(p).filter((i) => i.to === 'lambda' || i.to === 'extension' || (i.to !== p && providers.includes(i.to) && i.to !== 'stainless'));
      expect(bad, p).toEqual([]);
    }
  });

  it('telemetry/ imports only OpenTelemetry packages, its own room, the root helpers and the extension HTTP client', () => {
    const bad = roomImports('telemetry').filter(
      (i) =>
        !(
          i.to === 'telemetry' ||
          i.to === 'root' ||
          (i.to === 'extension' && i.spec.startsWith('../extension/http/')) ||
          i.spec.startsWith('node:') ||
          i.spec.startsWith('@opentelemetry/')
        ),
    );
    expect(bad).toEqual([]);
  });
});
