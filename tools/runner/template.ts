/**
 * Reads a SAM template the way `sam local invoke` does, for one function:
 * Handler, Runtime, Timeout, MemorySize, CodeUri, Environment.Variables, with
 * Globals.Function merged in, CloudFormation intrinsics tolerated, and an
 * `--env-vars` file in SAM's format applied (intrinsics: see intrinsics.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isObject, parseTemplate, resolveIntrinsics, toEnvValue } from './intrinsics.ts';
import type { Resolver } from './intrinsics.ts';

export { parseTemplate, resolveIntrinsics } from './intrinsics.ts';

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
