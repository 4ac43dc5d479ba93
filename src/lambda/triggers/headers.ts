import { isObj } from '../../util.js';

/** Header values past this size are ignored: no valid trace header is that long, and copying it costs. */
export const MAX_HEADER_VALUE = 8192;
/** How many keys of a headers object we look at; a hostile event may carry thousands. */
const MAX_HEADER_KEYS = 512;

export type Carrier = Record<string, string>;

/** Copies the wanted headers, matching names in any case; `multiValueHeaders` (ALB, REST) join with commas. */
export function pickHeaders(fields: readonly string[], headers: unknown, multi?: unknown): Carrier | undefined {
  const out: Carrier = {};
  let found = false;
  const take = (source: unknown, multiValue: boolean) => {
    if (!isObj(source)) return;
    let seen = 0;
    for (const key in source) {
      if (++seen > MAX_HEADER_KEYS) break;
      const name = key.toLowerCase();
      if (!fields.includes(name) || name in out) continue;
      const value = multiValue ? joined(source[key], (v) => (typeof v === 'string' ? v : undefined)) : source[key];
      if (typeof value === 'string' && value.length <= MAX_HEADER_VALUE) {
        out[name] = value;
        found = true;
      }
    }
  };
  take(multi, true);
  take(headers, false);
  return found ? out : undefined;
}

/**
 * Headers whose values are lists: CloudFront gives Lambda@Edge `{ key, value }` entries per lower-cased name, VPC
 * Lattice v2 strings (its samples also show plain strings, which are taken as they are). Joined with commas.
 */
export function pickListHeaders(fields: readonly string[], headers: unknown): Carrier | undefined {
  if (!isObj(headers)) return undefined;
  const lists: Record<string, unknown> = {};
  let seen = 0;
  for (const key in headers) {
    if (++seen > MAX_HEADER_KEYS) break;
    const raw = headers[key];
    const value =
      typeof raw === 'string' ? raw : joined(raw, (v) => (typeof v === 'string' ? v : isObj(v) && typeof v.value === 'string' ? v.value : undefined));
    if (value !== undefined) lists[key] = value;
  }
  return pickHeaders(fields, lists);
}

function joined(raw: unknown, each: (v: unknown) => string | undefined): string | undefined {
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 64) return undefined;
  const values = raw.map(each);
  return values.every((v) => v !== undefined) ? values.join(',') : undefined;
}
