/**
 * CloudFormation in YAML: the short-form tags (`!Ref`, `!Sub`, `!GetAtt`…) and the intrinsics the runner can
 * resolve locally. `Ref` to a template Parameter resolves to its Default (or a parameter override), `Ref` to a
 * pseudo parameter to a local value, `Fn::Sub` with only such references is substituted; anything else becomes
 * a string placeholder like `<Fn::GetAtt Table.Arn>`.
 */
import { CORE_SCHEMA, defineMappingTag, defineScalarTag, defineSequenceTag, load } from 'js-yaml';

const INTRINSICS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  Sub: 'Fn::Sub',
  GetAtt: 'Fn::GetAtt',
  If: 'Fn::If',
  Join: 'Fn::Join',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  GetAZs: 'Fn::GetAZs',
  ImportValue: 'Fn::ImportValue',
  Equals: 'Fn::Equals',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Not: 'Fn::Not',
  Transform: 'Fn::Transform',
  Length: 'Fn::Length',
  ToJsonString: 'Fn::ToJsonString',
};

/** js-yaml schema that turns `!Ref x` into `{Ref: 'x'}`, `!GetAtt A.B` into `{'Fn::GetAtt': ['A', 'B']}`, and so on. */
function cfnSchema() {
  const tags = [];
  for (const [short, long] of Object.entries(INTRINSICS)) {
    const tag = `!${short}`;
    tags.push(
      defineScalarTag<Record<string, unknown>>(tag, {
        resolve: (source) => ({ [long]: short === 'GetAtt' ? splitGetAtt(source) : source }),
        identify: () => false,
      }),
      defineSequenceTag<unknown[], Record<string, unknown>>(tag, {
        create: () => [],
        addItem: (c, item) => {
          c.push(item);
        },
        finalize: (c) => ({ [long]: c }),
        identify: () => false,
      }),
      defineMappingTag<Record<string, unknown>, Record<string, unknown>>(tag, {
        create: () => ({}),
        addPair: (c, k, v) => {
          c[String(k)] = v;
          return '';
        },
        has: (c, k) => Object.hasOwn(c, String(k)),
        keys: (r) => Object.keys(r),
        get: (r, k) => r[String(k)],
        finalize: (c) => ({ [long]: c }),
        identify: () => false,
      }),
    );
  }
  return CORE_SCHEMA.withTags(tags);
}

function splitGetAtt(s: string): string[] {
  const i = s.indexOf('.');
  return i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)];
}

export function parseTemplate(text: string, filename?: string): Record<string, unknown> {
  const doc = load(text, { schema: cfnSchema(), ...(filename ? { filename } : {}) });
  if (!isObject(doc)) throw new Error(`${filename ?? 'template'}: not a YAML mapping`);
  return doc;
}

export interface Resolver {
  parameters: Record<string, string>;
  pseudo: Record<string, string>;
}

/** Resolve intrinsics to plain values; unresolvable ones become a placeholder string. */
export function resolveIntrinsics(value: unknown, r: Resolver): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, r));
  if (!isObject(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const k = keys[0]!;
    const arg = value[k];
    if (k === 'Ref' && typeof arg === 'string') {
      if (arg in r.parameters) return r.parameters[arg];
      if (arg in r.pseudo) return r.pseudo[arg];
      return `<Ref ${arg}>`;
    }
    if (k === 'Fn::Sub') return resolveSub(arg, r);
    if (k === 'Fn::Join' && Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && Array.isArray(arg[1])) {
      const parts = arg[1].map((p) => resolveIntrinsics(p, r));
      if (parts.every((p) => typeof p === 'string' || typeof p === 'number')) return parts.join(arg[0]);
    }
    if (k === 'Ref' || k.startsWith('Fn::') || k === 'Condition') return placeholder(k, arg);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveIntrinsics(v, r);
  return out;
}

function resolveSub(arg: unknown, r: Resolver): string {
  let text: string;
  let vars: Record<string, unknown> = {};
  if (typeof arg === 'string') text = arg;
  else if (Array.isArray(arg) && typeof arg[0] === 'string') {
    text = arg[0];
    if (isObject(arg[1])) vars = arg[1];
  } else return placeholder('Fn::Sub', arg);
  return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return '${' + name.slice(1) + '}';
    if (name in vars) {
      const v = resolveIntrinsics(vars[name], r);
      return typeof v === 'string' || typeof v === 'number' ? String(v) : `<${name}>`;
    }
    if (name in r.parameters) return r.parameters[name]!;
    if (name in r.pseudo) return r.pseudo[name]!;
    return `<${whole.slice(2, -1)}>`;
  });
}

function placeholder(fn: string, arg: unknown): string {
  const a = Array.isArray(arg)
    ? arg.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('.')
    : typeof arg === 'string'
      ? arg
      : JSON.stringify(arg);
  return `<${fn} ${a}>`;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toEnvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
