/**
 * Security of what leaves the function, scanned where it lands: the raw OTLP request bodies at the collector
 * (protobuf and JSON, decompressed) as well as the decoded spans. In the default configuration no prompt,
 * completion, API key, Authorization header, cookie or query token is exported; every attribute value respects
 * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT; with content capture on, the redaction hook holds (and a failing hook
 * records nothing rather than the raw text).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { shutdownTracing, withLlmTracing, type OpenAITracingOptions } from '../../src/index.js';
import { API_KEY, MAJORS, MESSAGES, PROMPT, SYSTEM, collect, exported, setup, teardown, traced, type Env } from '../support/openai.js';
import { lambdaContext } from '../support/lambda.js';
import type { ReceivedSpan } from '../support/receiver.js';

let env: Env;
beforeAll(async () => {
  env = await setup();
});
afterAll(() => teardown(env));
afterEach(async () => {
  await shutdownTracing(1000);
  delete process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT;
  env.receiver.clear();
  env.server.clear();
});

const major = MAJORS.at(-1)!;
const TOOL_RESULT = 'TOOLSECRET-0042 the keeper lives on the rock';
const EMBED = 'EMBEDSECRET-77 private notes';
/** An HTTP API request carrying credentials in every place a request can. */
const EVENT = {
  version: '2.0',
  routeKey: 'POST /ask',
  rawPath: '/ask',
  rawQueryString: 'token=QUERYSECRET-9&x=1',
  queryStringParameters: { token: 'QUERYSECRET-9' },
  cookies: ['session=COOKIESECRET-3'],
  headers: {
    authorization: 'Bearer AUTHSECRET-1',
    cookie: 'session=COOKIESECRET-3',
    'x-api-key': 'APIKEYSECRET-5',
    'user-agent': 'curl/8',
    host: 'api.example.com',
  },
  requestContext: {
    http: { method: 'POST', path: '/ask', sourceIp: '203.0.113.9', userAgent: 'curl/8' },
    authorizer: { jwt: { claims: { sub: 'SUBSECRET-8' } } },
  },
  body: JSON.stringify({ question: PROMPT }),
};
const SECRETS = [
  'PROMPTSECRET',
  'SYSSECRET',
  'lighthouse',
  'ZEPHYR',
  'TOOLSECRET',
  'EMBEDSECRET',
  API_KEY,
  'KEYSECRET',
  'Bearer',
  'AUTHSECRET',
  'COOKIESECRET',
  'APIKEYSECRET',
  'QUERYSECRET',
  'SUBSECRET',
];

/** Every OpenAI API and path through it, with the secrets in every input. */
async function everything(options: OpenAITracingOptions & { protocol?: 'http/json' | 'http/protobuf' }): Promise<unknown> {
  const { protocol, ...tracing } = options;
  const c = traced(major, env, tracing);
  const withSystem = [{ role: 'system', content: SYSTEM }, ...MESSAGES];
  const handler = withLlmTracing(
    async () => {
      env.server.script({ kind: 'status', status: 429, retryAfterMs: 1 });
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: withSystem }, { maxRetries: 1 });
      await collect(await c.chat.completions.create({ model: 'gpt-4o-mini', messages: withSystem, stream: true }));
      const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };
      const first = await c.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, tools: [tool], tool_choice: 'required' });
      const call = first.choices[0].message.tool_calls[0];
      await c.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [...MESSAGES, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: TOOL_RESULT }],
      });
      await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: SYSTEM });
      await collect(await c.responses.create({ model: 'gpt-4o-mini', input: PROMPT, instructions: SYSTEM, stream: true }));
      await c.embeddings.create({ model: 'text-embedding-3-small', input: EMBED });
      env.server.script({ kind: 'status', status: 400, message: 'bad request' });
      await c.chat.completions.create({ model: 'gpt-4o-mini', messages: withSystem }).catch(() => {});
      return { statusCode: 200, body: 'ok' };
    },
    protocol ? { protocol } : {},
  );
  return handler(EVENT, lambdaContext());
}

/** The collector's raw request bodies, read both as UTF-8 and byte for byte. */
function rawBodies(contentType: RegExp): string {
  expect(env.receiver.requests.length).toBeGreaterThan(0);
  for (const r of env.receiver.requests) expect(r.contentType).toMatch(contentType);
  return env.receiver.requests.map((r) => r.body.toString('utf8') + '\n' + r.body.toString('latin1')).join('\n');
}

function expectNoSecrets(text: string): void {
  for (const secret of SECRETS) expect(text, secret).not.toContain(secret);
}

describe('default configuration: nothing sensitive leaves the function', () => {
  const protocols: ['http/protobuf' | 'http/json', RegExp][] = [
    ['http/protobuf', /^application\/x-protobuf/],
    ['http/json', /^application\/json/],
  ];
  it.each(protocols)('%s: raw bodies and decoded spans carry no prompt, completion, key, credential or query', async (protocol, type) => {
    expect(await everything({ protocol })).toEqual({ statusCode: 200, body: 'ok' });
    const raw = rawBodies(type);
    // The scan sees real span data: names and the route are there.
    expect(raw).toContain('chat gpt-4o-mini');
    expect(raw).toContain('POST /ask');
    expectNoSecrets(raw);
    expectNoSecrets(exported(env.receiver.spans));
    expect(env.receiver.spans.filter((s) => s.attributes['gen_ai.operation.name'] !== undefined)).toHaveLength(8);
  });
});

/** Every string an exporter sent in attributes, event attributes and link attributes. */
function attributeStrings(spans: readonly ReceivedSpan[]): string[] {
  const out: string[] = [];
  const add = (attrs: Record<string, unknown>) => {
    for (const v of Object.values(attrs)) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') out.push(x);
  };
  for (const s of spans) {
    add(s.attributes);
    for (const e of s.events) add(e.attributes);
    for (const l of s.links) add(l.attributes);
  }
  return out;
}

describe('attribute sizes', () => {
  it('stay under OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, whatever the event and the content', async () => {
    process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT = '64';
    const long = 'L'.repeat(5000);
    const c = traced(major, env, { captureContent: true });
    const handler = withLlmTracing(async () => {
      await c.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: long },
          { role: 'user', content: long },
        ],
      });
      await c.responses.create({ model: 'gpt-4o-mini', input: long, instructions: long });
      return 'ok';
    });
    const event = {
      ...EVENT,
      rawPath: `/${'p'.repeat(5000)}`,
      headers: { ...EVENT.headers, 'user-agent': 'u'.repeat(5000) },
      requestContext: { http: { method: 'POST', path: `/${'p'.repeat(5000)}`, userAgent: 'u'.repeat(5000) } },
    };
    expect(await handler(event, lambdaContext())).toBe('ok');
    const strings = attributeStrings(env.receiver.spans);
    // Cut, not dropped: the longest values are exactly at the limit.
    expect(Math.max(...strings.map((s) => s.length))).toBe(64);
    expect(env.receiver.spans.find((s) => s.attributes['user_agent.original'] !== undefined)?.attributes['user_agent.original']).toBe('u'.repeat(64));
  });

  it('captured messages stay valid JSON under a limit that a long conversation exceeds', async () => {
    process.env.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT = '512';
    const conversation = Array.from({ length: 20 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}` }));
    const c = traced(major, env, { captureContent: true });
    const handler = withLlmTracing(async () => c.chat.completions.create({ model: 'gpt-4o-mini', messages: conversation }));
    await handler({}, lambdaContext());
    const model = env.receiver.spans.find((s) => s.attributes['gen_ai.operation.name'] === 'chat')!;
    const input = model.attributes['gen_ai.input.messages'];
    // Either recorded as valid JSON within the limit, or left out: never cut by the SDK mid-JSON.
    if (input !== undefined) {
      expect(String(input).length).toBeLessThanOrEqual(512);
      expect(() => JSON.parse(String(input))).not.toThrow();
    }
    expect(() => JSON.parse(String(model.attributes['gen_ai.output.messages'] ?? '[]'))).not.toThrow();
  });
});

describe('content capture on: the redaction hook holds', () => {
  const redact = (text: string) => text.replace(/[A-Z]+SECRET-\w+|ZEPHYR|lighthouse/g, '[redacted]');

  it('a redactor that rewrites: only the rewritten text is exported', async () => {
    await everything({ captureContent: true, redactContent: redact });
    const raw = rawBodies(/^application\/x-protobuf/);
    expectNoSecrets(raw);
    expect(raw).toContain('[redacted]');
    const all = exported(env.receiver.spans);
    for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions']) expect(all).toContain(key);
  });

  it('a redactor that drops everything: no text is exported', async () => {
    await everything({ captureContent: true, redactContent: () => undefined });
    const raw = rawBodies(/^application\/x-protobuf/);
    expectNoSecrets(raw);
    expect(raw).not.toContain('"type":"text"');
  });

  it('a redactor that throws: the calls are unaffected and the raw text is not exported instead', async () => {
    const result = await everything({
      captureContent: true,
      redactContent: () => {
        throw new Error('redactor failed');
      },
    });
    expect(result).toEqual({ statusCode: 200, body: 'ok' });
    expectNoSecrets(rawBodies(/^application\/x-protobuf/));
  });

  it('the environment switch alone turns capture on, and the option still redacts', async () => {
    process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
    try {
      await everything({ redactContent: redact });
    } finally {
      delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
    }
    const raw = rawBodies(/^application\/x-protobuf/);
    expectNoSecrets(raw);
    expect(raw).toContain('[redacted]');
  });
});
