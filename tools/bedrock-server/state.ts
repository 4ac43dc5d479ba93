/**
 * The server's whole mutable state in one object, so every handler says what it reads and changes:
 * recorded requests, pending faults, the standing fault, the prompt cache and the open connections.
 */
import type { Socket } from 'node:net';
import type { Fault, RecordedRequest } from './types.ts';

const MAX_RECORDED_REQUESTS = 1000;
const MAX_CACHED_PREFIXES = 1000;

export interface ServerState {
  requests: RecordedRequest[];
  pending: Fault[];
  standing: Fault | undefined;
  /** Hashes of prompt prefixes that ended at a cache point: seen once means a cache write, again a read. */
  cache: Set<string>;
  sockets: Set<Socket>;
  eventDelayMs: number;
  closed: boolean;
}

export function createState(eventDelayMs: number): ServerState {
  return { requests: [], pending: [], standing: undefined, cache: new Set(), sockets: new Set(), eventDelayMs, closed: false };
}

export function record(state: ServerState, request: RecordedRequest): void {
  state.requests.push(request);
  if (state.requests.length > MAX_RECORDED_REQUESTS) state.requests.shift();
}

/** The fault for the request now arriving: the next scripted one, else the standing one. */
export function takeFault(state: ServerState): Fault | undefined {
  return state.pending.shift() ?? state.standing;
}

/** Whether the prefix was cached before; caches it either way. */
export function cacheHit(state: ServerState, prefixHash: string): boolean {
  if (state.cache.has(prefixHash)) return true;
  if (state.cache.size >= MAX_CACHED_PREFIXES) state.cache.clear();
  state.cache.add(prefixHash);
  return false;
}

export function resetState(state: ServerState): void {
  state.requests.length = 0;
  state.pending = [];
  state.standing = undefined;
  state.cache.clear();
}
