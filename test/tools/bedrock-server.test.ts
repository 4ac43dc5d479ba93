/**
 * The local Bedrock-compatible server (tools/bedrock-server) driven by the real @aws-sdk/client-bedrock-runtime
 * with fake static credentials (so every request is SigV4-signed), over the SDK's default cleartext HTTP/2
 * handler and over a NodeHttpHandler HTTP/1.1 client. Asserts what the SDK gives back, never timing.
 */
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BEDROCK_MARKER, FAULTS, GUARDRAIL_MESSAGE, startBedrockServer, type BedrockServer } from '../../tools/bedrock-server/index.ts';

const CREDENTIALS = { accessKeyId: 'AKIDFAKEEXAMPLE', secretAccessKey: 'SECRETFAKE-9f2c' };
const MESSAGES = [{ role: 'user' as const, content: [{ text: 'Describe the PROMPTSECRET-51 harbour.' }] }];
const decode = (bytes: Uint8Array | undefined): any => JSON.parse(new TextDecoder().decode(bytes));

let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer({ eventDelayMs: 1 });
});
afterAll(() => server.close());
afterEach(() => server.clear());

/** A default (HTTP/2) client for one describe block, created once the server is up. */
function useClient(): BedrockRuntimeClient {
  const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: async () => ({ url: new URL(server.url) }), credentials: CREDENTIALS });
  afterAll(() => client.destroy());
  return client;
}

const HANDLERS = [
  { name: 'HTTP/2 (default handler)', protocol: 'h2', handler: () => ({}) },
  { name: 'HTTP/1.1 (NodeHttpHandler)', protocol: 'http/1.1', handler: () => ({ requestHandler: new NodeHttpHandler() }) },
] as const;

async function events<T>(stream: AsyncIterable<T> | undefined): Promise<T[]> {
  const out: T[] = [];
  for await (const e of stream ?? []) out.push(e);
  return out;
}

const kinds = (list: ConverseStreamOutput[]): string[] => list.map((e) => Object.keys(e).find((k) => k !== '$unknown')!);

describe.each(HANDLERS)('over $name', ({ protocol, handler }) => {
  let client: BedrockRuntimeClient;
  beforeAll(() => {
    client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: server.url, credentials: CREDENTIALS, ...handler() });
  });
  afterAll(() => client.destroy());

  it('answers Converse, records the signed request without its signature', async () => {
    const out = await client.send(
      new ConverseCommand({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', messages: MESSAGES, inferenceConfig: { maxTokens: 200 } }),
    );
    const text = out.output?.message?.content?.[0]?.text ?? '';
    expect(text).toContain(BEDROCK_MARKER);
    expect(text).not.toContain('PROMPTSECRET');
    expect(out.stopReason).toBe('end_turn');
    expect(out.usage?.outputTokens).toBeGreaterThan(0);
    const [req] = server.requests;
    expect(req).toMatchObject({ protocol, operation: 'converse', modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0', signed: true });
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(server.requests)).not.toMatch(/AWS4-HMAC-SHA256|Signature=|SECRETFAKE/);
    expect(req!.headers['amz-sdk-request']).toBe('attempt=1; max=3');
  });

  it('streams ConverseStream as event-stream frames whose text is the Converse reply', async () => {
    const plain = await client.send(new ConverseCommand({ modelId: 'amazon.nova-lite-v1:0', messages: MESSAGES }));
    const out = await client.send(new ConverseStreamCommand({ modelId: 'amazon.nova-lite-v1:0', messages: MESSAGES }));
    const list = await events(out.stream);
    expect(kinds(list)).toEqual(['messageStart', ...kinds(list).slice(1, -3), 'contentBlockStop', 'messageStop', 'metadata']);
    expect(list.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('')).toBe(plain.output?.message?.content?.[0]?.text);
    expect(list.at(-1)?.metadata?.usage).toEqual(plain.usage);
  });

  it('answers with tool use when tools are offered, in both shapes', async () => {
    const toolConfig = { tools: [{ toolSpec: { name: 'get_tide', inputSchema: { json: { type: 'object', properties: { port: { type: 'string' } } } } } }] };
    const out = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES, toolConfig: toolConfig as any }));
    expect(out.stopReason).toBe('tool_use');
    const use = out.output?.message?.content?.find((b) => b.toolUse)?.toolUse;
    expect(use).toMatchObject({ name: 'get_tide', input: { port: BEDROCK_MARKER } });
    const streamed = await events((await client.send(new ConverseStreamCommand({ modelId: 'm', messages: MESSAGES, toolConfig: toolConfig as any }))).stream);
    expect(streamed.find((e) => e.contentBlockStart)?.contentBlockStart?.start?.toolUse).toEqual({ toolUseId: use?.toolUseId, name: 'get_tide' });
    const input = streamed.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
    expect(JSON.parse(input)).toEqual(use?.input);
  });

  it('writes a prompt cache on first use and reads it after, leaving cached tokens out of inputTokens', async () => {
    const system = [{ text: 'A long shared preamble about tides and harbours. '.repeat(20) }, { cachePoint: { type: 'default' } }];
    const first = await client.send(new ConverseCommand({ modelId: 'm', system: system as any, messages: MESSAGES }));
    const second = await client.send(new ConverseCommand({ modelId: 'm', system: system as any, messages: MESSAGES }));
    expect(first.usage?.cacheWriteInputTokens).toBeGreaterThan(100);
    expect(first.usage?.cacheReadInputTokens).toBe(0);
    expect(second.usage?.cacheReadInputTokens).toBe(first.usage?.cacheWriteInputTokens);
    expect(second.usage?.inputTokens).toBeLessThan(second.usage!.cacheReadInputTokens!);
  });

  it('retries a throttle once by the SDK’s own strategy', async () => {
    server.script(FAULTS.throttle);
    const out = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES }));
    expect(out.$metadata.attempts).toBe(2);
    expect(server.requests.map((r) => r.headers['amz-sdk-request'])).toEqual(['attempt=1; max=3', 'attempt=2; max=3']);
  });

  it('fails with the modeled exception after every attempt hits a 5xx', async () => {
    server.always(FAULTS.unavailable);
    const error: any = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES })).catch((e) => e);
    expect(error).toMatchObject({ name: 'ServiceUnavailableException', $fault: 'server', $metadata: { httpStatusCode: 503, attempts: 3 } });
    expect(server.requests).toHaveLength(3);
  });

  it.each([
    ['validation', FAULTS.validation, 'ValidationException', 400],
    ['access denied', FAULTS.accessDenied, 'AccessDeniedException', 403],
    ['model timeout', FAULTS.modelTimeout, 'ModelTimeoutException', 408],
  ])('returns %s as the SDK’s modeled client error, not retried', async (_n, fault, name, status) => {
    server.script(fault);
    const error: any = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES, inferenceConfig: { maxTokens: 5 } })).catch((e) => e);
    expect(error).toMatchObject({ name, $fault: 'client', $metadata: { httpStatusCode: status, attempts: 1 } });
    expect(server.requests).toHaveLength(1);
  });

  it('stops for the token limit and for a guardrail intervention', async () => {
    server.script({ kind: 'maxTokens' }, { kind: 'guardrailIntervened' });
    const cut = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES }));
    expect(cut.stopReason).toBe('max_tokens');
    const guardrailConfig = { guardrailIdentifier: 'gr-harbour', guardrailVersion: '2', trace: 'enabled' as const };
    const blocked = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES, guardrailConfig }));
    expect(blocked.stopReason).toBe('guardrail_intervened');
    expect(blocked.output?.message?.content?.[0]?.text).toBe(GUARDRAIL_MESSAGE);
    expect(Object.keys(blocked.trace?.guardrail?.inputAssessment ?? {})).toEqual(['gr-harbour']);
  });

  // The SDK reads the first frame (looking for an initial-response) before send() resolves.
  it('holds the first event back, and the SDK resolves send() only once it came', async () => {
    server.script({ kind: 'slowFirstChunk', ms: 200 });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'm', messages: MESSAGES }));
    expect(server.requests[0]!.eventsSent).toBeGreaterThanOrEqual(1);
    const list = await events(out.stream);
    expect(server.requests[0]!.eventsSent).toBe(list.length);
  });

  it('ends a stream with a modeled exception frame mid-way', async () => {
    server.script({ kind: 'midStreamException', afterEvents: 2, type: 'modelStreamErrorException' });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'm', messages: MESSAGES }));
    const seen: unknown[] = [];
    const error: any = await (async () => {
      for await (const e of out.stream ?? []) seen.push(e);
    })().catch((e) => e);
    expect(seen).toHaveLength(2);
    expect(error).toMatchObject({ name: 'ModelStreamErrorException', $fault: 'client' });
  });

  it('ends a stream cleanly without its final events when truncated', async () => {
    server.script({ kind: 'truncatedStream' });
    const list = await events((await client.send(new ConverseStreamCommand({ modelId: 'm', messages: MESSAGES }))).stream);
    expect(kinds(list)).not.toContain('messageStop');
    expect(kinds(list)).not.toContain('metadata');
    expect(kinds(list)[0]).toBe('messageStart');
  });

  it('resets a stream mid-way (RST_STREAM on HTTP/2, the socket on HTTP/1.1)', async () => {
    server.script({ kind: 'midStreamReset', afterEvents: 2, how: 'rst' });
    const out = await client.send(new ConverseStreamCommand({ modelId: 'm', messages: MESSAGES }));
    const error: any = await events(out.stream).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(protocol === 'h2' ? 'ERR_HTTP2_STREAM_ERROR' : 'ECONNRESET');
  });

  it('drops the connection before any response', async () => {
    server.script({ kind: 'reset' }, { kind: 'reset' }, { kind: 'reset' });
    const error: any = await client.send(new ConverseCommand({ modelId: 'm', messages: MESSAGES })).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.$metadata?.httpStatusCode).toBeUndefined();
  });
});

describe('InvokeModel bodies per family', () => {
  const client = useClient();
  const invoke = async (modelId: string, body: unknown) => {
    const out = await client.send(new InvokeModelCommand({ modelId, body: JSON.stringify(body), contentType: 'application/json' }));
    return { out, body: decode(out.body) };
  };

  it.each([
    [
      'anthropic',
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
      (b: any) => [b.content[0].text, b.stop_reason, b.usage.input_tokens > 0],
    ],
    [
      'nova',
      'us.amazon.nova-lite-v1:0',
      { messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { maxTokens: 100 } },
      (b: any) => [b.output.message.content[0].text, b.stopReason, b.usage.inputTokens > 0],
    ],
    ['llama', 'meta.llama3-8b-instruct-v1:0', { prompt: 'hi', max_gen_len: 100 }, (b: any) => [b.generation, b.stop_reason, b.prompt_token_count > 0]],
    [
      'mistral',
      'mistral.mistral-7b-instruct-v0:2',
      { prompt: '<s>[INST] hi [/INST]', max_tokens: 100 },
      (b: any) => [b.outputs[0].text, b.outputs[0].stop_reason, true],
    ],
    ['cohere', 'cohere.command-r-v1:0', { message: 'hi', max_tokens: 100 }, (b: any) => [b.text, b.finish_reason, true]],
  ])('%s: the family’s body with its stop reason', async (family, modelId, request, read) => {
    const { body } = await invoke(modelId, request);
    const [text, stop, counted] = read(body);
    expect(text).toContain(BEDROCK_MARKER);
    expect(stop).toBe({ anthropic: 'end_turn', nova: 'end_turn', llama: 'stop', mistral: 'stop', cohere: 'COMPLETE' }[family]);
    expect(counted).toBe(true);
  });

  it('cuts a family reply at its own token limit and names it the family’s way', async () => {
    const { body } = await invoke('meta.llama3-8b-instruct-v1:0', { prompt: 'hi', max_gen_len: 2 });
    expect(body).toMatchObject({ stop_reason: 'length', generation_token_count: 2 });
  });

  it('marks a guardrail intervention in the body', async () => {
    server.script({ kind: 'guardrailIntervened' });
    const out = await client.send(
      new InvokeModelCommand({
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        body: JSON.stringify({ max_tokens: 10, messages: [] }),
        guardrailIdentifier: 'gr-1',
        guardrailVersion: 'DRAFT',
      }),
    );
    expect(decode(out.body)['amazon-bedrock-guardrailAction']).toBe('INTERVENED');
    expect(server.requests[0]!.headers).toMatchObject({ 'x-amzn-bedrock-guardrailidentifier': 'gr-1', 'x-amzn-bedrock-guardrailversion': 'DRAFT' });
  });

  it('embeds with Titan and Cohere Embed', async () => {
    const titan = await invoke('amazon.titan-embed-text-v2:0', { inputText: 'harbour', dimensions: 8 });
    expect(titan.body.embedding).toHaveLength(8);
    expect(titan.body.inputTextTokenCount).toBeGreaterThan(0);
    const cohere = await invoke('cohere.embed-english-v3', { texts: ['a', 'b'], input_type: 'search_document' });
    expect(cohere.body.embeddings).toHaveLength(2);
  });

  it('answers an unknown family with an opaque body', async () => {
    const { body } = await invoke('ai21.jamba-1-5-mini-v1:0', { anything: true });
    expect(Object.keys(body)).toEqual(['result']);
  });

  it('accepts an inference-profile ARN as the model id', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
    const { body } = await invoke(arn, { max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    expect(body.type).toBe('message');
    expect(server.requests[0]!.modelId).toBe(arn);
  });
});

describe('InvokeModelWithResponseStream chunks per family', () => {
  const client = useClient();
  const chunks = async (modelId: string, body: unknown) => {
    const out = await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body: JSON.stringify(body) }));
    return (await events(out.body)).map((e) => decode(e.chunk?.bytes));
  };

  it('anthropic: input tokens in message_start, output tokens in message_delta, metrics on the last chunk', async () => {
    const list = await chunks('anthropic.claude-3-5-haiku-20241022-v1:0', { max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] });
    expect(list[0]).toMatchObject({ type: 'message_start', message: { usage: { input_tokens: 1 } } });
    const delta = list.find((c) => c.type === 'message_delta');
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
    expect(list.at(-1)).toMatchObject({
      type: 'message_stop',
      'amazon-bedrock-invocationMetrics': { inputTokenCount: 1, outputTokenCount: delta.usage.output_tokens },
    });
  });

  it.each([
    ['us.amazon.nova-micro-v1:0', { messages: [{ role: 'user', content: [{ text: 'hi' }] }] }, (c: any) => c.metadata?.usage?.outputTokens],
    ['meta.llama3-8b-instruct-v1:0', { prompt: 'hi' }, (c: any) => c.generation_token_count],
    ['mistral.mistral-large-2402-v1:0', { prompt: 'hi' }, (c: any) => c['amazon-bedrock-invocationMetrics'].outputTokenCount],
    ['cohere.command-r-plus-v1:0', { message: 'hi' }, (c: any) => (c.is_finished ? c['amazon-bedrock-invocationMetrics'].outputTokenCount : 0)],
  ])('%s: the final chunk tells the output tokens', async (modelId, body, outputTokens) => {
    const list = await chunks(modelId, body);
    expect(list.length).toBeGreaterThan(2);
    expect(outputTokens(list.at(-1))).toBe(list.at(-1)['amazon-bedrock-invocationMetrics'].outputTokenCount);
    expect(outputTokens(list.at(-1))).toBeGreaterThan(0);
  });
});
