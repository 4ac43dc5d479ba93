/** Sample values for JSON schemas: what structured outputs and tool arguments are made of. */
import { MARKER } from './model.ts';
import type { Json } from './types.ts';

/** A value that satisfies a (simple) JSON schema: required properties filled with plausible values by type. */
export function sampleFromSchema(schema: unknown, root: unknown = schema, depth = 0): unknown {
  if (depth > 8 || !schema || typeof schema !== 'object') return MARKER;
  const s = schema as Json;
  if (typeof s['$ref'] === 'string') {
    const ref = s['$ref'] as string;
    if (ref === '#') return sampleFromSchema(root, root, depth + 1);
    const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
    const target = m ? ((root as Json)?.[m[1]!] as Json | undefined)?.[m[2]!] : undefined;
    return sampleFromSchema(target, root, depth + 1);
  }
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum']) && s['enum'].length > 0) return s['enum'][0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(s[key]) && s[key].length > 0) {
      const options = (s[key] as Json[]).filter((o) => o?.['type'] !== 'null');
      return sampleFromSchema(options[0] ?? s[key][0], root, depth + 1);
    }
  }
  let type = s['type'];
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (type === undefined && s['properties']) type = 'object';
  switch (type) {
    case 'object': {
      const props = (s['properties'] ?? {}) as Json;
      const required: string[] = Array.isArray(s['required']) ? s['required'] : Object.keys(props);
      const out: Json = {};
      for (const name of required) out[name] = sampleFromSchema(props[name] ?? {}, root, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof s['minItems'] === 'number' ? Math.max(1, s['minItems']) : 1;
      return Array.from({ length: Math.min(min, 3) }, () => sampleFromSchema(s['items'] ?? {}, root, depth + 1));
    }
    case 'string':
      if (s['format'] === 'date-time') return '2025-01-01T00:00:00Z';
      if (s['format'] === 'date') return '2025-01-01';
      if (s['format'] === 'email') return 'zephyr@example.com';
      return MARKER;
    case 'integer':
      return typeof s['minimum'] === 'number' ? Math.ceil(s['minimum']) : 42;
    case 'number':
      return typeof s['minimum'] === 'number' ? s['minimum'] : 42.5;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return MARKER;
  }
}
