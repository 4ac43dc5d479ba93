/**
 * Reads a SAM template the way `sam local invoke` does, for one function:
 * Handler, Runtime, Timeout, MemorySize, CodeUri, Environment.Variables, with
 * Globals.Function merged in, CloudFormation intrinsics tolerated, and an
 * `--env-vars` file in SAM's format applied.
 *
 * Intrinsics: `Ref` to a template Parameter resolves to its Default (or a
 * parameter override), `Ref` to a pseudo parameter to a local value, `Fn::Sub`
 * with only such references is substituted; anything else becomes a string
 * placeholder like `<Fn::GetAtt Table.Arn>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CORE_SCHEMA, defineMappingTag, defineScalarTag, defineSequenceTag, load } from 'js-yaml';

export interface FunctionConfig {
  logicalId: string;
  /** FunctionName property if set, else the logical id (as `sam local` does). */
  functionName: string;
  handler: string;
  runtime: string | undefined;
  timeoutSeconds: number;
  memoryMB: number;
  /** Absolute path of the directory holding the built bundle (CodeUri). */
  codeDir: string;
  environment: Record<string, string>;
  /** Keys given in --env-vars that SAM ignores because the template does not declare them. */
  ignoredEnvVars: string[];
}

export interface TemplateOptions {
  /** Path to template.yaml. */
  template: string;
  /** Logical id; may be omitted when the template has exactly one function. */
  functionId?: string;
  /** SAM --env-vars JSON file: {"<LogicalId>": {VAR: value}, "Parameters": {VAR: value}}. */
  envVarsFile?: string;
  /** Template parameter values (like `--parameter-overrides`). */
  parameterOverrides?: Record<string, string>;
  region?: string;
}

export const DEFAULT_TIMEOUT_SECONDS = 3;
export const DEFAULT_MEMORY_MB = 128;

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

interface Resolver {
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
  const a = Array.isArray(arg) ? arg.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('.') : typeof arg === 'string' ? arg : JSON.stringify(arg);
  return `<${fn} ${a}>`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function toEnvValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function readEnvVarsFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) throw new Error(`${file}: not valid JSON (${err.message})`);
    throw err;
  }
  if (!isObject(parsed)) throw new Error(`${file}: --env-vars must be a JSON object`);
  return parsed;
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

export function loadFunctionConfig(opts: TemplateOptions): FunctionConfig {
  const templatePath = path.resolve(opts.template);
  const doc = parseTemplate(fs.readFileSync(templatePath, 'utf8'), templatePath);
  const resources = isObject(doc.Resources) ? doc.Resources : {};
  const functions = Object.entries(resources).filter(([, r]) => isObject(r) && FUNCTION_TYPES.has(String(r.Type)));
  let logicalId = opts.functionId;
  if (!logicalId) {
    if (functions.length !== 1) {
      throw new Error(`${templatePath}: name the function to invoke; the template has ${functions.map(([id]) => id).join(', ') || 'no functions'}`);
    }
    logicalId = functions[0]![0];
  }
  const resource = resources[logicalId];
  if (!isObject(resource) || !FUNCTION_TYPES.has(String(resource.Type))) {
    throw new Error(`${templatePath}: no function '${logicalId}' (functions: ${functions.map(([id]) => id).join(', ') || 'none'})`);
  }

  const resolver = templateResolver(doc, opts.region ?? 'us-east-1', opts.parameterOverrides);

  const globals = isObject(doc.Globals) && isObject(doc.Globals.Function) ? doc.Globals.Function : {};
  const own = isObject(resource.Properties) ? resource.Properties : {};
  const g = resolveIntrinsics(globals, resolver) as Record<string, unknown>;
  const p = resolveIntrinsics(own, resolver) as Record<string, unknown>;
  const prop = (name: string): unknown => (p[name] !== undefined ? p[name] : g[name]);

  // Environment.Variables merge key by key (SAM's Globals rule for maps).
  const env: Record<string, string> = {};
  for (const src of [g, p]) {
    const vars = isObject(src.Environment) && isObject(src.Environment.Variables) ? src.Environment.Variables : {};
    for (const [k, v] of Object.entries(vars)) env[k] = toEnvValue(v);
  }

  const ignored = opts.envVarsFile ? applyEnvVarsFile(env, opts.envVarsFile, logicalId) : [];

  const handler = prop('Handler');
  if (typeof handler !== 'string' || !handler) throw new Error(`${templatePath}: function '${logicalId}' has no Handler`);
  const codeUri = prop('CodeUri') ?? (resource.Type === 'AWS::Lambda::Function' ? undefined : '.');
  if (typeof codeUri !== 'string') throw new Error(`${templatePath}: function '${logicalId}' needs a local CodeUri directory`);
  const fnName = prop('FunctionName');

  return {
    logicalId,
    functionName: typeof fnName === 'string' && !fnName.startsWith('<') ? fnName : logicalId,
    handler,
    runtime: typeof prop('Runtime') === 'string' ? (prop('Runtime') as string) : undefined,
    timeoutSeconds: toNumber(prop('Timeout'), DEFAULT_TIMEOUT_SECONDS),
    memoryMB: toNumber(prop('MemorySize'), DEFAULT_MEMORY_MB),
    codeDir: path.resolve(path.dirname(templatePath), codeUri),
    environment: env,
    ignoredEnvVars: ignored,
  };
}

/** Parameters (defaults, then overrides) and the pseudo parameters, as `Ref` and `Fn::Sub` see them. */
function templateResolver(doc: Record<string, unknown>, region: string, overrides: Record<string, string> | undefined): Resolver {
  const parameters: Record<string, string> = {};
  if (isObject(doc.Parameters)) {
    for (const [name, p] of Object.entries(doc.Parameters)) {
      if (isObject(p) && p.Default !== undefined) parameters[name] = toEnvValue(p.Default);
    }
  }
  Object.assign(parameters, overrides ?? {});
  return {
    parameters,
    pseudo: {
      'AWS::Region': region,
      'AWS::AccountId': '123456789012',
      'AWS::Partition': 'aws',
      'AWS::StackName': 'local',
      'AWS::StackId': `arn:aws:cloudformation:${region}:123456789012:stack/local/00000000-0000-0000-0000-000000000000`,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::NoValue': '',
    },
  };
}

/**
 * --env-vars: "Parameters" applies to every function, "<LogicalId>" to this one; like SAM, only
 * variables the template declares are overridden. Returns the function's variables that were ignored.
 */
function applyEnvVarsFile(env: Record<string, string>, envVarsFile: string, logicalId: string): string[] {
  const ignored: string[] = [];
  const file = readEnvVarsFile(envVarsFile);
  for (const section of ['Parameters', logicalId]) {
    const vars = file[section];
    if (!isObject(vars)) continue;
    for (const [k, v] of Object.entries(vars)) {
      if (k in env) env[k] = toEnvValue(v);
      else if (section === logicalId) ignored.push(k);
    }
  }
  return ignored;
}

function toNumber(v: unknown, dflt: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : dflt;
}
