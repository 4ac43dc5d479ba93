/** The README's fenced code blocks, as the tests run and compile them. */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './scratch.ts';

export interface ReadmeBlock {
  /** The fence's language: ts, sh, json, yaml... */
  lang: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** From a `<!-- readme-test: file <path> -->` or `<!-- readme-test: run -->` comment on the line before. */
  file?: string;
  run?: boolean;
}

export function readmeBlocks(file = path.join(ROOT, 'README.md')): ReadmeBlock[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    const marker = /^<!-- readme-test: (file (\S+)|run) -->$/.exec(lines[i - 1] ?? '');
    blocks.push({
      lang: open[1]!,
      code: lines.slice(i + 1, end).join('\n') + '\n',
      line: i + 1,
      ...(marker?.[2] ? { file: marker[2] } : {}),
      ...(marker?.[1] === 'run' ? { run: true } : {}),
    });
    i = end;
  }
  return blocks;
}

/** The fragments elsewhere in the README continue its OpenAI example; this gives them what it declared. */
export const SNIPPET_GLOBALS = `import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
declare global {
  const openai: OpenAI;
  const anthropic: Anthropic;
  const messages: OpenAI.Chat.ChatCompletionMessageParam[];
  const chunks: string[];
}
export {};
`;

/**
 * Writes the README's files into `dir`, and every other TypeScript block as src/readme/line-<N>.mts (an ES
 * module of its own whatever the project's type, so top-level await works and names do not collide), where the README's tsconfig (`include: ["src"]`) compiles them.
 */
export function writeReadmeProject(dir: string): ReadmeBlock[] {
  const blocks = readmeBlocks();
  for (const b of blocks) {
    const file = b.file ?? (b.lang === 'ts' ? `src/readme/line-${b.line}.mts` : undefined);
    if (!file) continue;
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), b.file ? b.code : `${b.code}export {};\n`);
  }
  fs.writeFileSync(path.join(dir, 'src/readme/globals.d.ts'), SNIPPET_GLOBALS);
  return blocks;
}
