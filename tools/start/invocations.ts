/** `npm start`'s invocations: a sandbox per function of template.yaml, one line (or three) per invocation. */
import fs from 'node:fs';
import path from 'node:path';
import { loadFunctionConfig, startSandbox } from '../runner/index.ts';
import type { InvokeResult, Sandbox } from '../runner/index.ts';
import type { OtlpReceiver } from '../otlp/index.ts';

export interface Session {
  root: string;
  template: string;
  outdir: string | undefined;
  env: Record<string, string>;
  receiver: OtlpReceiver | undefined;
  say: (line?: string) => void;
  sandboxes: Sandbox[];
  requestIds: string[];
  failed: boolean;
  /** Runner lines already shown (the "runtime client" line comes once per sandbox). */
  logged: Set<string>;
}

export function readEvent(s: Session, file: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(s.root, 'events', file), 'utf8')) as Record<string, any>;
}

export async function openSandbox(s: Session, functionId: string, extra: Record<string, string> = {}): Promise<Sandbox> {
  const fn = loadFunctionConfig({ template: s.template, functionId });
  const codeDir = s.outdir ? path.resolve(s.root, s.outdir, path.basename(fn.codeDir)) : fn.codeDir;
  const sb = await startSandbox({
    template: s.template,
    functionId,
    env: { ...s.env, ...extra },
    codeDir,
    log: (line) => {
      if (!s.logged.has(line)) s.say(line);
      s.logged.add(line);
    },
  });
  s.sandboxes.push(sb);
  return sb;
}

const INDENT = ' '.repeat(20);

export async function run(s: Session, sb: Sandbox, functionId: string, label: string, event: unknown): Promise<InvokeResult> {
  const r = await sb.invoke(event);
  s.requestIds.push(r.requestId);
  if (r.error || r.timedOut) s.failed = true;
  s.say(`▶ ${functionId.padEnd(17)} ${label.padEnd(44)} ${r.coldStart ? 'cold' : 'warm'} ${r.durationMs.toFixed(0).padStart(5)} ms  ${summary(r)}`);
  if (r.streamed) s.say(`${INDENT}streamed: ${JSON.stringify(clip(r.streamed.body, 300))}`);
  const thawed = r.postRuntimeMs === undefined ? 'not measured' : `${msText(r.postRuntimeMs)} after the response`;
  s.say(`${INDENT}export ${exportModeOf(s, sb, r)} · sandbox thawed ${thawed}`);
  if (r.error) s.say(r.logs.replace(/\r(?!\n)/g, '\n'));
  return r;
}

/**
 * The mode in force, from the invocation span (which is at the local receiver before invoke returns: the
 * sandbox freezes only once the export is done); without a local receiver, from the registered extensions.
 */
function exportModeOf(s: Session, sb: Sandbox, r: InvokeResult): string {
  const span = s.receiver?.spans.find((x) => x.attributes['faas.invocation.id'] === r.requestId);
  const mode = span?.attributes['llm.export.mode'];
  if (typeof mode === 'string') return mode;
  return sb.extensions.includes('lambda-llm-tracing') ? 'after-response (extension registered)' : 'before-response (no extension)';
}

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max - 3) + '...' : text);
const msText = (ms: number | undefined) => (ms === undefined ? '?' : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

function summary(r: InvokeResult): string {
  if (r.error) return `✗ ${r.error.errorType}: ${r.error.errorMessage}`;
  if (r.streamed) {
    const prelude = r.streamed.prelude as { statusCode?: number; headers?: Record<string, string> } | undefined;
    const type = prelude?.headers?.['content-type'] ?? r.streamed.contentType ?? '';
    return `${prelude?.statusCode ?? '?'} ${type}, streamed, first byte after ${msText(r.streamed.firstByteMs)}`;
  }
  const res = r.result as { statusCode?: number; body?: string } | undefined;
  if (res && typeof res.statusCode === 'number') {
    const body = typeof res.body === 'string' ? res.body : '';
    return `${res.statusCode} ${clip(body, 160)}`;
  }
  return JSON.stringify(r.result);
}
