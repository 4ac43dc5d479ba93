// template.yaml: valid against the official SAM schema (../shared/sam-schema), handlers that resolve to what
// build.mjs writes, the OTEL_* wiring from parameters, the key never inline, least-privilege policies.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ajvDraft04 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { loadFunctionConfig, parseTemplate } from '../../tools/runner/template.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEMPLATE = path.join(ROOT, 'template.yaml');
const SCHEMA = path.resolve(ROOT, '../shared/sam-schema/sam.schema.json');
const text = fs.readFileSync(TEMPLATE, 'utf8');
// !Ref, !Sub, !GetAtt... in their long forms ({Ref: x}, {'Fn::Sub': s}, {'Fn::GetAtt': [a, b]}).
const doc = parseTemplate(text, TEMPLATE) as Record<string, any>;
const resources = doc.Resources as Record<string, { Type: string; Properties?: Record<string, any> }>;
const functions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
const globals = doc.Globals.Function as Record<string, any>;
const prop = (id: string, name: string): any => resources[id]!.Properties?.[name] ?? globals[name];

describe('SAM schema', () => {
  if (!fs.existsSync(SCHEMA)) {
    if (process.env.CI) {
      it('needs ../shared/sam-schema/sam.schema.json in CI', () => {
        expect.fail(`${SCHEMA} is missing: CI must validate template.yaml against the official SAM schema`);
      });
    } else {
      it('is not available here: template.yaml is not schema-checked (../shared/sam-schema is absent)', () => {
        console.warn(`notice: ${SCHEMA} not found; skipping the SAM schema validation (it runs in CI)`);
        expect(fs.existsSync(SCHEMA)).toBe(false);
      });
    }
    return;
  }

  // A CommonJS module: under NodeNext its default import is module.exports, whose `default` is the class.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as object);

  it('template.yaml validates against the official SAM schema', () => {
    const ok = validate(doc);
    expect(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toBe(true);
  });

  it('the schema check has teeth: broken copies of the template are rejected', () => {
    const bad = (mutate: (d: any) => void) => {
      const copy = structuredClone(doc);
      mutate(copy);
      return validate(copy);
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((d) => (d.Resources.ApiFunction.Properties.Handlr = 'index.handler'))).toBe(false);
    expect(bad((d) => (d.Resources.ApiFunction.Properties.Events.Chat.Properties.Method = 5))).toBe(false);
    expect(bad((d) => (d.Globals.Function.Bogus = true))).toBe(false);
  });
});

describe('template.yaml', () => {
  it('four functions on nodejs24.x/arm64, HTTP API routes POST /chat and /jobs, SQS worker with ReportBatchItemFailures', () => {
    expect(globals.Runtime).toBe('nodejs24.x'); // build.mjs targets node24
    expect(globals.Architectures).toEqual(['arm64']);
    const routes = functions.flatMap(([, r]) =>
      Object.values((r.Properties?.Events ?? {}) as Record<string, any>)
        .filter((e) => e.Type === 'HttpApi')
        .map((e) => `${e.Properties.Method} ${e.Properties.Path}`),
    );
    expect(routes.sort()).toEqual(['POST /chat', 'POST /jobs']);
    const sqsEvents = Object.values(resources.WorkerFunction!.Properties!.Events as Record<string, any>);
    expect(sqsEvents).toEqual([
      expect.objectContaining({
        Type: 'SQS',
        Properties: expect.objectContaining({ Queue: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] }, FunctionResponseTypes: ['ReportBatchItemFailures'] }),
      }),
    ]);
    const queue = resources.JobsQueue!;
    expect(queue.Type).toBe('AWS::SQS::Queue');
    expect(queue.Properties!.RedrivePolicy).toMatchObject({ deadLetterTargetArn: { 'Fn::GetAtt': ['JobsDeadLetterQueue', 'Arn'] } });
    expect(resources.JobsDeadLetterQueue!.Type).toBe('AWS::SQS::Queue');
    // AWS's guidance for Lambda event sources: visibility timeout at least six times the function timeout.
    expect(queue.Properties!.VisibilityTimeout).toBeGreaterThanOrEqual(6 * prop('WorkerFunction', 'Timeout'));
  });

  it('StreamFunction streams through a Function URL (RESPONSE_STREAM, IAM-authorised), not the HTTP API, which cannot stream', () => {
    const stream = resources.StreamFunction!.Properties!;
    expect(stream.FunctionUrlConfig).toEqual({ AuthType: 'AWS_IAM', InvokeMode: 'RESPONSE_STREAM' });
    expect(Object.values((stream.Events ?? {}) as Record<string, any>).filter((e) => e.Type === 'HttpApi')).toEqual([]);
    // No other function has a URL; the URL is an output.
    for (const [id, r] of functions) if (id !== 'StreamFunction') expect(r.Properties?.FunctionUrlConfig, id).toBeUndefined();
    expect(doc.Outputs.StreamUrl.Value).toEqual({ 'Fn::GetAtt': ['StreamFunctionUrl', 'FunctionUrl'] });
    // The handler is a response-streaming one, so the runtime streams what it writes.
    const source = fs.readFileSync(path.join(ROOT, 'handlers', 'stream.ts'), 'utf8');
    expect(source).toMatch(/withLlmTracing\(\s*awslambda\.streamifyResponse\(/);
    expect(source).toContain('awslambda.HttpResponseStream.from(');
  });

  it('every function exports after the response: NODE_OPTIONS imports extension.mjs from the task root; sam local is documented', async () => {
    const nodeOptions = globals.Environment.Variables.NODE_OPTIONS as unknown;
    expect(nodeOptions).toBe('--enable-source-maps --import /var/task/extension.mjs');
    const build = (await import(pathToFileURL(path.join(ROOT, 'build.mjs')).href)) as { EXTENSION_FILE: string; TARGET: string };
    expect(nodeOptions).toContain(`/var/task/${build.EXTENSION_FILE}`);
    expect(build.TARGET).toBe(`node${/^nodejs(\d+)\.x$/.exec(globals.Runtime as string)![1]}`);
    for (const [id, r] of functions) {
      expect(r.Properties?.Environment?.Variables?.NODE_OPTIONS, id).toBeUndefined(); // no function opts out
      expect(loadFunctionConfig({ template: TEMPLATE, functionId: id }).environment.NODE_OPTIONS, id).toBe(nodeOptions);
      expect(r.Properties?.Environment?.Variables?.LLM_TRACING_EXPORT_MODE, id).toBeUndefined();
    }
    expect(globals.Environment.Variables.LLM_TRACING_EXPORT_MODE).toBeUndefined();
    // The comment beside it says why the extension stays out under sam local.
    expect(text).toMatch(/#.*AWS_SAM_LOCAL=true/);
  });

  it('every Handler/CodeUri is a bundle build.mjs writes, from a handler source that exists', async () => {
    const build = (await import(pathToFileURL(path.join(ROOT, 'build.mjs')).href)) as { FUNCTIONS: Record<string, string>; DEFAULT_OUTDIR: string };
    expect(Object.keys(build.FUNCTIONS).sort()).toEqual(functions.map(([id]) => id).sort());
    for (const [id] of functions) {
      const name = build.FUNCTIONS[id]!;
      expect(prop(id, 'CodeUri'), id).toBe(`${build.DEFAULT_OUTDIR}/${name}/`);
      expect(prop(id, 'Handler'), id).toBe('index.handler'); // build.mjs writes index.mjs exporting `handler`
      const source = fs.readFileSync(path.join(ROOT, 'handlers', `${name}.ts`), 'utf8');
      expect(source, id).toMatch(/export const handler = withLlmTracing\(/);
      expect(source, id).toMatch(/traceOpenAI\(new OpenAI\(|SQSClient/);
    }
  });

  it('OTEL_* come from parameters (headers NoEcho), and the runner sees them on every function', () => {
    const vars = globals.Environment.Variables as Record<string, any>;
    const params = doc.Parameters as Record<string, any>;
    for (const [name, param] of [
      ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OtelExporterOtlpEndpoint'],
      ['OTEL_EXPORTER_OTLP_HEADERS', 'OtelExporterOtlpHeaders'],
      ['OTEL_EXPORTER_OTLP_PROTOCOL', 'OtelExporterOtlpProtocol'],
      ['OTEL_SERVICE_NAME', 'OtelServiceName'],
    ] as const) {
      expect(vars[name], name).toEqual({ Ref: param });
      expect(params[param], param).toBeDefined();
    }
    expect(params.OtelExporterOtlpHeaders.NoEcho).toBe(true);
    for (const [id] of functions) {
      const env = loadFunctionConfig({
        template: TEMPLATE,
        functionId: id,
        parameterOverrides: { OtelExporterOtlpEndpoint: 'https://otlp.example' },
      }).environment;
      expect(env, id).toMatchObject({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' });
      expect(Object.keys(env), id).toContain('OPENAI_API_KEY');
    }
    expect(resources.ProducerFunction!.Properties!.Environment.Variables.QUEUE_URL).toEqual({ Ref: 'JobsQueue' });
  });

  it('the OpenAI key is resolved from Secrets Manager at deploy time (or a NoEcho parameter), never inline', () => {
    const key = globals.Environment.Variables.OPENAI_API_KEY as unknown;
    const params = doc.Parameters as Record<string, any>;
    const fromSecret =
      typeof key === 'object' &&
      key !== null &&
      typeof (key as any)['Fn::Sub'] === 'string' &&
      /^\{\{resolve:secretsmanager:\$\{\w+\}(:SecretString(:[\w-]+)?)?\}\}$/.test((key as any)['Fn::Sub']);
    const fromNoEcho = typeof key === 'object' && key !== null && typeof (key as any).Ref === 'string' && params[(key as any).Ref]?.NoEcho === true;
    expect(fromSecret || fromNoEcho, JSON.stringify(key)).toBe(true);
    // Nothing that looks like a key anywhere in the template, and no per-function override of it.
    expect(text).not.toMatch(/sk-[A-Za-z0-9_-]{8,}/);
    for (const [id, r] of functions) expect(r.Properties?.Environment?.Variables?.OPENAI_API_KEY, id).toBeUndefined();
  });

  it('least privilege: only SQSSendMessagePolicy on the jobs queue, for the producer, and InvokeModel on the configured Bedrock model, for the API; no "*" actions or resources anywhere', () => {
    const policies = Object.fromEntries(functions.map(([id, r]) => [id, (r.Properties?.Policies ?? []) as unknown[]]));
    expect(policies).toEqual({
      ApiFunction: [
        {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
              // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a JS template
              Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${BedrockModelId}' },
            },
          ],
        },
      ],
      StreamFunction: [],
      ProducerFunction: [{ SQSSendMessagePolicy: { QueueName: { 'Fn::GetAtt': ['JobsQueue', 'QueueName'] } } }],
      WorkerFunction: [], // the SQS event source adds SQSPollerPolicy for this queue only
    });
    for (const [id, r] of functions) expect(r.Properties?.Role, id).toBeUndefined();
    const wildcard = (v: unknown): boolean =>
      Array.isArray(v)
        ? v.some(wildcard)
        : typeof v === 'object' && v !== null
          ? Object.entries(v).some(
              ([k, x]) =>
                ((k === 'Action' || k === 'Resource') && (x === '*' || (Array.isArray(x) && x.includes('*')) || (typeof x === 'string' && x.endsWith(':*')))) ||
                wildcard(x),
            )
          : false;
    expect(wildcard(doc)).toBe(false);
    expect(text).not.toMatch(/AdministratorAccess|FullAccess/);
  });
});
