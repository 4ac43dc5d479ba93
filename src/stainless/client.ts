import { diag, type Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../telemetry/semconv.js';
import { safely } from '../telemetry/safe.js';
import { traceFetch, type Fetch } from './fetch.js';
import type { StainlessHooks } from './hooks.js';
import { isTraced, markTraced, patchMethod } from './patch.js';

/** A method to trace: the resource path from the client (`['chat', 'completions']`), the key, the operation. */
export type MethodSpec<Op extends string> = readonly [path: readonly string[], key: string, operation: Op];

type ClientLike = { baseURL?: unknown; fetch?: unknown; withOptions?: unknown } & Record<string, unknown>;

/**
 * Instruments a Stainless client in place: its methods, its `fetch` (one span per attempt) and its
 * `withOptions()`, whose clones (fresh resource objects that inherit only our fetch) are traced alike. Safe to
 * call twice: what is traced is marked.
 */
export function instrumentClient<Op extends string>(client: object, methods: readonly MethodSpec<Op>[], hooks: StainlessHooks<Op>, what: string): void {
  try {
    instrument(client as ClientLike, methods, hooks);
  } catch (error) {
    diag.warn(`lambda-llm-tracing: ${what} could not instrument this client`, error);
  }
}

function instrument<Op extends string>(c: ClientLike, methods: readonly MethodSpec<Op>[], hooks: StainlessHooks<Op>): void {
  const server = serverOf(c);
  hooks.prepareClient?.(c);
  for (const [path, key, operation] of methods) {
    const holder = path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], c);
    patchMethod(holder, key, operation, hooks, server);
  }
  if (typeof c.fetch === 'function' && !isTraced(c.fetch)) c.fetch = markTraced(traceFetch(c.fetch as Fetch, hooks));
  if (typeof c.withOptions === 'function' && !isTraced(c.withOptions)) {
    const original = c.withOptions as (this: unknown, ...args: unknown[]) => unknown;
    c.withOptions = markTraced(function tracedWithOptions(this: unknown, ...args: unknown[]): unknown {
      const clone = original.apply(this, args) as ClientLike;
      safely('tracing a withOptions() clone', () => instrument(clone, methods, hooks));
      return clone;
    });
  }
}

/** `server.address` and `server.port` of a base URL; a bad URL gives none. */
export function serverAttributes(baseURL: unknown): Attributes {
  try {
    const url = new URL(String(baseURL));
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
  } catch {
    return {};
  }
}

/** The client's server attributes, parsed again only when its base URL changes: not on every call. */
function serverOf(client: { baseURL?: unknown }): () => Attributes {
  let url: unknown;
  let attributes: Attributes = {};
  return () => {
    if (client.baseURL !== url) {
      url = client.baseURL;
      attributes = serverAttributes(url);
    }
    return attributes;
  };
}
