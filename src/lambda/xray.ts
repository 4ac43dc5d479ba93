import { TraceFlags, type SpanContext } from '@opentelemetry/api';

// Anchored at a field start: a `GrandParent=` or `NotSampled=` field of some proxy must not be read as ours.
const ROOT = /(?:^|;)\s*Root=1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})\s*(?:;|$)/;
const PARENT = /(?:^|;)\s*Parent=([0-9a-fA-F]{16})\s*(?:;|$)/;
const SAMPLED = /(?:^|;)\s*Sampled=([01])\s*(?:;|$)/;

/**
 * Lambda's own X-Ray header (`Root=1-<8 hex>-<24 hex>;Parent=<16 hex>;Sampled=<0|1>`) as a span context. X-Ray
 * trace ids are valid W3C ids once the dash is removed, so the link points at the very trace X-Ray shows.
 */
export function parseXRayHeader(header: unknown): SpanContext | undefined {
  if (typeof header !== 'string' || header.length > 512) return undefined;
  const root = ROOT.exec(header);
  const parent = PARENT.exec(header);
  if (!root || !parent) return undefined;
  const traceId = `${root[1]}${root[2]}`.toLowerCase();
  const spanId = parent[1]!.toLowerCase();
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return {
    traceId,
    spanId,
    traceFlags: SAMPLED.exec(header)?.[1] === '1' ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
}
