/**
 * Type tests of the public API: `tsc -p tsconfig.json --noEmit` (the `typecheck` step `npm test` runs first, and
 * CI) checks every `expectTypeOf` and `@ts-expect-error` line here; vitest runs the runtime half (same objects
 * back, two parameters), where `expectTypeOf` is a no-op.
 */
import AnthropicBedrock from '@anthropic-ai/bedrock-sdk';
import Anthropic from '@anthropic-ai/sdk';
import { BedrockRuntime, BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Callback as AwsCallback, Context, Handler, StreamifyHandler } from 'aws-lambda';
import OpenAI from 'openai';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type Callback,
  type LambdaContext,
  type StreamingHandler,
  type TracedHandler,
  traceAnthropic,
  traceBedrock,
  traceOpenAI,
  withLlmTracing,
} from '../../src/index.js';

// A pass-through provider: these tests are about types, not spans.
const OFF = { disabled: true } as const;
type Question = { question: string };
type Answer = { answer: string };

/** What the nodejs24.x runtime's `awslambda.streamifyResponse` does: marks the handler, returns it. */
const streamifyResponse: typeof awslambda.streamifyResponse = (handler) =>
  Object.assign(handler, { [Symbol.for('aws.lambda.runtime.handler.streaming')]: 'response' });

describe('withLlmTracing', () => {
  it('keeps an async handler’s event, result and context types, as a two-parameter promise-returning handler', () => {
    const traced = withLlmTracing(async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyResultV2> => ({ body: event.rawPath }), OFF);
    expectTypeOf(traced).toEqualTypeOf<TracedHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context>>();
    expectTypeOf(traced).toEqualTypeOf<(event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>>();
    // Still a handler as @types/aws-lambda types them.
    expectTypeOf(traced).toExtend<Handler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>>();
    expect(traced.length).toBe(2);
  });

  it('makes a synchronous handler promise-returning, and defaults the context to LambdaContext', () => {
    const traced = withLlmTracing((event: Question): Answer => ({ answer: event.question }), OFF);
    expectTypeOf(traced).toEqualTypeOf<(event: Question, context: LambdaContext) => Promise<Answer>>();
  });

  it('takes a handler typed as @types/aws-lambda’s Handler', () => {
    const handler: Handler<APIGatewayProxyEventV2, APIGatewayProxyResultV2> = async () => ({ statusCode: 204 });
    expectTypeOf(withLlmTracing(handler, OFF)).toEqualTypeOf<TracedHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context>>();
  });

  it('turns a callback-style (event, context, callback) handler into a two-parameter (event, context) promise of its result', async () => {
    // Fully annotated, with @types/aws-lambda's Callback and with ours; the result type comes from the callback.
    const aws = withLlmTracing((event: Question, _context: Context, callback: AwsCallback<Answer>) => callback(null, { answer: event.question }), OFF);
    expectTypeOf(aws).toEqualTypeOf<(event: Question, context: Context) => Promise<Answer>>();
    const ours = withLlmTracing((event: Question, _context: Context, callback: Callback<Answer>) => {
      setImmediate(() => callback(undefined, { answer: event.question }));
    }, OFF);
    expectTypeOf(ours).toEqualTypeOf<TracedHandler<Question, Answer, Context>>();
    expectTypeOf(ours).parameters.toEqualTypeOf<[Question, Context]>();
    expect(ours.length).toBe(2);
    await expect(ours({ question: 'q' }, { awsRequestId: 'r' } as Context)).resolves.toEqual({ answer: 'q' });
  });

  it('keeps a response-streaming handler a three-parameter streaming handler with its own event, stream and context types', () => {
    const streamed = streamifyResponse(async (event: Question, responseStream) => {
      responseStream.end(event.question);
    });
    const traced = withLlmTracing(streamed, OFF);
    expectTypeOf(traced).toEqualTypeOf<StreamingHandler<Question, Context, awslambda.HttpResponseStream, void>>();
    expectTypeOf(traced).parameters.toEqualTypeOf<Parameters<typeof streamed>>();
    expectTypeOf(traced).toExtend<StreamifyHandler<Question>>();
    // Also where the result type is spelt out, as in `export const handler: StreamifyHandler<E, void> = ...`.
    expectTypeOf(traced).toExtend<StreamifyHandler<Question, void>>();
    const typed: StreamifyHandler<Question, void> = withLlmTracing(streamed, OFF);
    expect(typed).toBe(streamed);
    expectTypeOf(traced).not.toExtend<TracedHandler<Question, unknown, Context>>();
    expect(traced).toBe(streamed);
  });

  it('rejects unknown option keys and values', () => {
    const handler = async (event: Question) => event;
    // @ts-expect-error a misspelt option
    withLlmTracing(handler, { flushBudget: 100, ...OFF });
    // @ts-expect-error not an export mode
    withLlmTracing(handler, { exportMode: 'later', ...OFF });
    // @ts-expect-error milliseconds, not a string
    withLlmTracing(handler, { flushBudgetMs: '100', ...OFF });
    // @ts-expect-error an option of traceOpenAI, not of the wrapper
    withLlmTracing(handler, { captureContent: true, ...OFF });
    withLlmTracing(handler, { flushBudgetMs: 100, exportMode: 'before-response', timeoutSalvageMs: false, ...OFF });
  });

  it('leaves an unannotated event implicitly `any`, which strict mode refuses', () => {
    // @ts-expect-error TS7006: the event's type is the user's to say
    withLlmTracing(async (event) => event, OFF);
  });

  it('rejects a handler with more parameters than a Lambda handler has', () => {
    // @ts-expect-error four parameters
    withLlmTracing((_e: Question, _c: Context, _cb: Callback<Answer>, _extra: number) => {}, OFF);
  });
});

describe('traceOpenAI, traceAnthropic, traceBedrock', () => {
  it('return the very client, typed as the client’s own class', () => {
    const openai = new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1' });
    const tracedOpenAI = traceOpenAI(openai, { captureContent: true });
    expectTypeOf(tracedOpenAI).toEqualTypeOf<OpenAI>();
    expect(tracedOpenAI).toBe(openai);

    const anthropic = new Anthropic({ apiKey: 'test', baseURL: 'http://127.0.0.1:9' });
    expectTypeOf(traceAnthropic(anthropic)).toEqualTypeOf<Anthropic>();
    expect(traceAnthropic(anthropic)).toBe(anthropic);
    const onBedrock = new AnthropicBedrock({ awsRegion: 'us-east-1', awsAccessKey: 'a', awsSecretKey: 'b', baseURL: 'http://127.0.0.1:9' });
    expectTypeOf(traceAnthropic(onBedrock)).toEqualTypeOf<AnthropicBedrock>();

    const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
    expectTypeOf(traceBedrock(client)).toEqualTypeOf<BedrockRuntimeClient>();
    expect(traceBedrock(client)).toBe(client);
    expectTypeOf(traceBedrock(new BedrockRuntime({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }))).toEqualTypeOf<BedrockRuntime>();
  });

  it('keep the client’s methods and their types', () => {
    const openai = traceOpenAI(new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1' }));
    expectTypeOf(openai.chat.completions.create).toEqualTypeOf<OpenAI['chat']['completions']['create']>();
    const anthropic = traceAnthropic(new Anthropic({ apiKey: 'test', baseURL: 'http://127.0.0.1:9' }));
    expectTypeOf(anthropic.messages.create).toEqualTypeOf<Anthropic['messages']['create']>();
  });

  it('reject unknown option keys, wrong option types and non-objects', () => {
    const openai = new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1' });
    // @ts-expect-error a misspelt option
    traceOpenAI(openai, { captureContents: true });
    // @ts-expect-error a price needs both input and output
    traceOpenAI(openai, { prices: { 'gpt-4o-mini': { input: 0.15 } } });
    // @ts-expect-error a redactor takes a string and returns a string or undefined
    traceAnthropic(new Anthropic({ apiKey: 'test' }), { redactContent: (text: string) => text.length });
    // @ts-expect-error characters, not a string
    traceBedrock(new BedrockRuntimeClient({ region: 'us-east-1' }), { contentMaxChars: '100' });
    // @ts-expect-error an option of the wrapper, not of a client
    traceBedrock(new BedrockRuntimeClient({ region: 'us-east-1' }), { flushBudgetMs: 100 });
    // @ts-expect-error a client is an object
    traceOpenAI('not a client');
    traceOpenAI(openai, { captureContent: true, contentMaxChars: 100, redactContent: (text) => text.toUpperCase(), prices: { m: { input: 1, output: 2 } } });
  });
});
