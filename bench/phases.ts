/**
 * The measurements, each through the local Lambda runner (real aws-lambda-ric on Node 24, SIGSTOP freeze between
 * invocations): cold starts, warm invocations (wall time as the runner's Duration, CPU time of the sandbox process
 * from /proc while it is frozen before and after, i.e. exactly what the invocation used), a hanging collector.
 */
import fs from 'node:fs';
import { MARKER, type OpenAIServer } from '../tools/openai-server/index.ts';
import type { OtlpReceiver } from '../tools/otlp/index.ts';
import { startSandbox, type InvokeResult, type Sandbox } from '../tools/runner/index.ts';
import type { Variant } from './setup.ts';
import type { SentryEndpoint, XrayDaemon } from './sinks.ts';

export interface Parts {
  receiver: OtlpReceiver;
  server: OpenAIServer;
  xray: XrayDaemon;
  sentry: SentryEndpoint;
  log: (line: string) => void;
}

/** One sandbox configuration: a variant plus extra variables; `key` names it in the results. */
export interface Run {
  key: string;
  variant: Variant;
  env?: Record<string, string>;
}

const EVENT = { question: 'What does a lighthouse keeper do?' };
const CLK_TCK = 100; // Linux USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s.

export const serviceName = (key: string) => `bench-${key}`;
export const spansFrom = (receiver: OtlpReceiver, key: string) => receiver.spans.filter((s) => s.resource['service.name'] === serviceName(key)).length;

/** Spans this run's sandboxes delivered so far, wherever its variant sends them. */
export function spansOf(run: Run, parts: Parts): number {
  if (run.variant.sink === 'xray') return parts.xray.spans(run.key);
  if (run.variant.sink === 'sentry') return parts.sentry.spans(run.key);
  return spansFrom(parts.receiver, run.key);
}

/** Where the variant's data goes, per run key (the X-Ray daemon address, the Sentry DSN). */
async function sinkEnv(run: Run, parts: Parts): Promise<Record<string, string>> {
  if (run.variant.sink === 'xray') return { AWS_XRAY_DAEMON_ADDRESS: await parts.xray.addressFor(run.key), POWERTOOLS_SERVICE_NAME: serviceName(run.key) };
  if (run.variant.sink === 'sentry') return { SENTRY_DSN: parts.sentry.dsnFor(run.key) };
  return {};
}

export async function open(run: Run, parts: Parts): Promise<Sandbox> {
  const sink = await sinkEnv(run, parts);
  return startSandbox({
    codeDir: run.variant.codeDir,
    handler: 'index.handler',
    timeoutSeconds: 30,
    memoryMB: 1024,
    functionName: serviceName(run.key),
    log: () => {},
    env: {
      OPENAI_BASE_URL: parts.server.url,
      OPENAI_API_KEY: 'sk-bench-not-a-key',
      OTEL_SERVICE_NAME: serviceName(run.key),
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: parts.receiver.tracesUrl,
      ...run.variant.env,
      ...sink,
      ...run.env,
    },
  });
}

export const failures: string[] = [];

/** The invocation must have answered with the handler's own result; anything else is recorded as a failure. */
export function check(key: string, r: InvokeResult): InvokeResult {
  const body = (r.result as { body?: unknown } | undefined)?.body;
  if (r.error || r.timedOut || typeof body !== 'string' || !body.includes(MARKER)) {
    failures.push(
      `${key}: ${r.error ? `${r.error.errorType}: ${r.error.errorMessage}` : r.timedOut ? 'timed out' : `unexpected result ${JSON.stringify(r.result)}`}`,
    );
  }
  return r;
}

// Read loosely: the runner's Extensions API support (post-runtime duration, registered extensions) is newer than this.
const postRuntime = (r: InvokeResult): number | undefined => (r as { postRuntimeMs?: number }).postRuntimeMs;
export const extensionsOf = (sb: Sandbox): string[] => [...((sb as { extensions?: readonly string[] }).extensions ?? [])];

/** CPU time (user + system) the process has used so far, in ms. */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

export interface ColdSamples {
  initMs: number[];
  firstInvokeMs: number[];
  totalMs: number[];
}

/** `rounds` cold starts of every run, interleaved (the order rotates each round) so they share the machine's noise. */
export async function coldStarts(runs: Run[], rounds: number, parts: Parts): Promise<Record<string, ColdSamples>> {
  const out: Record<string, ColdSamples> = Object.fromEntries(runs.map((r) => [r.key, { initMs: [], firstInvokeMs: [], totalMs: [] }]));
  for (let round = 0; round < rounds; round++) {
    for (let j = 0; j < runs.length; j++) {
      const run = runs[(round + j) % runs.length]!;
      const sb = await open(run, parts);
      try {
        const r = check(run.key, await sb.invoke(EVENT));
        const s = out[run.key]!;
        s.initMs.push(r.initDurationMs ?? NaN);
        s.firstInvokeMs.push(r.durationMs);
        s.totalMs.push((r.initDurationMs ?? NaN) + r.durationMs);
      } finally {
        await sb.shutdown();
      }
    }
    parts.log(`  cold starts: round ${round + 1}/${rounds}`);
  }
  return out;
}

export interface WarmSamples {
  wallMs: number[];
  /** Mean CPU ms per invocation, per chunk of `chunk` invocations (a tick is 10 ms; a chunk mean is precise). */
  cpuMsPerChunk: number[];
  postRuntimeMs: number[];
  peakRssAfterWarmupMB: number | undefined;
  peakRssMB: number | undefined;
  invocations: number;
  registeredExtensions: string[];
  /** Spans the collector received from this sandbox (by service.name), counted before it is shut down. */
  spansReceived: number;
}

/** Warm invocations of every run, interleaved one by one; each sandbox stays frozen while the others run. */
export async function warm(runs: Run[], warmup: number, count: number, parts: Parts, chunk = 100): Promise<Record<string, WarmSamples>> {
  const sandboxes: Sandbox[] = [];
  const out: Record<string, WarmSamples> = {};
  try {
    for (const run of runs) {
      sandboxes.push(await open(run, parts));
      out[run.key] = {
        wallMs: [],
        cpuMsPerChunk: [],
        postRuntimeMs: [],
        peakRssAfterWarmupMB: undefined,
        peakRssMB: undefined,
        invocations: 0,
        registeredExtensions: [],
        spansReceived: 0,
      };
    }
    const acc = runs.map(() => 0);
    for (let i = 0; i < warmup + count; i++) {
      for (let j = 0; j < runs.length; j++) {
        const run = runs[j]!;
        const sb = sandboxes[j]!;
        const s = out[run.key]!;
        const before = cpuMs(sb.pid);
        const r = check(run.key, await sb.invoke(EVENT));
        const used = cpuMs(sb.pid) - before;
        s.invocations++;
        if (i === warmup - 1) s.peakRssAfterWarmupMB = r.maxMemoryUsedMB;
        if (i < warmup) continue;
        s.wallMs.push(r.durationMs);
        const post = postRuntime(r);
        if (post !== undefined) s.postRuntimeMs.push(post);
        s.peakRssMB = r.maxMemoryUsedMB;
        acc[j]! += used;
        if ((i - warmup + 1) % chunk === 0) {
          s.cpuMsPerChunk.push(acc[j]! / chunk);
          acc[j] = 0;
        }
      }
      if ((i + 1) % 250 === 0) parts.log(`  warm: ${i + 1}/${warmup + count}`);
    }
    runs.forEach((run, j) => {
      out[run.key]!.registeredExtensions = extensionsOf(sandboxes[j]!);
      out[run.key]!.spansReceived = spansOf(run, parts);
    });
  } finally {
    await Promise.all(sandboxes.map((sb) => sb.shutdown()));
  }
  return out;
}

export interface HangSamples {
  responseMs: number[];
  postRuntimeMs: number[];
}

/**
 * Response latency with a collector that accepts the connection and never answers: one warm-up invocation with the
 * collector up, then `count` with it hanging. Runs one after another (a hung request stays open meanwhile).
 */
export async function hangingCollector(runs: Run[], count: number, parts: Parts): Promise<Record<string, HangSamples>> {
  const out: Record<string, HangSamples> = {};
  for (const run of runs) {
    const sb = await open(run, parts);
    const s: HangSamples = { responseMs: [], postRuntimeMs: [] };
    out[run.key] = s;
    try {
      check(run.key, await sb.invoke(EVENT));
      await parts.receiver.setMode({ kind: 'hang' });
      parts.sentry.setHang(true);
      for (let i = 0; i < count; i++) {
        const r = check(run.key, await sb.invoke(EVENT));
        s.responseMs.push(r.durationMs);
        const post = postRuntime(r);
        if (post !== undefined) s.postRuntimeMs.push(post);
      }
    } finally {
      await parts.receiver.setMode({ kind: 'ok' });
      parts.sentry.setHang(false);
      await sb.shutdown();
    }
    parts.log(`  hanging collector: ${run.key} done`);
  }
  return out;
}
