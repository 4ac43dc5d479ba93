/**
 * The two middlewares traceBedrock adds to a client's stack. The model middleware sits in `initialize` (once per
 * `send()`) and runs the rest of the stack inside the model call's context; the attempt middleware sits in
 * `deserialize` at low priority, after the SDK's retry middleware (`finalizeRequest`, high), so it runs once per
 * HTTP attempt and sees the raw response, 4xx and 5xx included. Both are named with `override`: tracing a client
 * twice replaces them instead of adding more.
 */
import { context } from '@opentelemetry/api';
import { endAttempt, failAttempt, inAttempt, startAttempt } from '../genai/attempt.js';
import { ModelCall, type ModelSettings } from '../genai/model-call.js';
import { observeStream } from '../genai/stream.js';
import { safely } from '../telemetry/safe.js';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../telemetry/semconv.js';
import { str } from '../util.js';
import { guardrailOf, operationOf, type BedrockOperation } from './adapter.js';
import { bedrockErrorType } from './errors.js';
import {
  PATH_TEMPLATES,
  attemptRequest,
  attemptResponse,
  isStreamCommand,
  tracedCommand,
  type ClientLike,
  type HandlerOutput,
  type HandlerContext,
  type Middleware,
  type TracedCommand,
} from './sdk.js';
import { stateOf } from './state.js';

export const ATTR_AWS_REQUEST_ID = 'aws.request_id';
const CALL = Symbol.for('lambda-llm-tracing.bedrock-call');
export const MODEL_MIDDLEWARE = 'lambdaLlmTracingBedrockModel';
export const ATTEMPT_MIDDLEWARE = 'lambdaLlmTracingBedrockAttempt';

interface Traced {
  call: ModelCall<BedrockOperation>;
  command: TracedCommand;
}

function startCall(settings: ModelSettings<BedrockOperation>, command: TracedCommand, input: Record<string, unknown>): Traced {
  const call = new ModelCall(operationOf(command, str(input['modelId']) ?? ''), input, settings, {});
  stateOf(call.summary).guardrail = guardrailOf(input);
  return { call, command };
}

/** Replaces the output's event iterable with one that reports each event and the end to the call. */
function observe(traced: Traced, output: Record<string, unknown>): void {
  const key = traced.command === 'ConverseStreamCommand' ? 'stream' : 'body';
  const source = output[key] as AsyncIterable<unknown> | undefined;
  const { call } = traced;
  if (typeof source?.[Symbol.asyncIterator] !== 'function') {
    call.end('error');
    return;
  }
  // A dropped HTTP/2 connection can end the stream quietly: without its final event it did not complete.
  const observed = observeStream(
    source,
    { item: (e) => call.chunk(e), hide: () => false, end: (o, e) => call.end(o, e) },
    undefined,
    () => stateOf(call.summary).facts.final === true,
  );
  output[key] = { [Symbol.asyncIterator]: observed.iterate };
}

function modelMiddleware(settings: ModelSettings<BedrockOperation>): Middleware {
  return (next, ctx: HandlerContext) => async (args) => {
    const command = tracedCommand(ctx.commandName);
    const traced = command ? safely('starting a Bedrock span', () => startCall(settings, command, args.input ?? {})) : undefined;
    if (!traced) return next(args);
    ctx[CALL] = traced;
    const { call } = traced;
    let result: HandlerOutput;
    try {
      result = await context.with(call.context, () => next(args));
    } catch (error) {
      call.end(undefined, error);
      throw error;
    }
    const output = result?.output;
    if (output && isStreamCommand(traced.command)) safely('observing a Bedrock stream', () => observe(traced, output));
    else {
      call.response(output);
      call.end();
    }
    return result;
  };
}

const attemptMiddleware: Middleware = (next, ctx: HandlerContext) => async (args) => {
  const traced = ctx[CALL] as Traced | undefined;
  const started = traced ? safely('starting a Bedrock attempt span', () => beginAttempt(traced, args.request)) : undefined;
  if (!traced || !started) return next(args);
  let result: HandlerOutput;
  try {
    result = await inAttempt(started, () => next(args));
  } catch (error) {
    const type = bedrockErrorType(error);
    safely('ending a Bedrock attempt span', () => failAttempt(started, error, type === '_OTHER' ? 'connection_error' : type));
    throw error;
  }
  safely('ending a Bedrock attempt span', () => finishAttempt(traced, started, result?.response));
  return result;
};

function beginAttempt({ call, command }: Traced, request: unknown) {
  const r = attemptRequest(request);
  if (r.host && call.attempts.count === 0)
    call.span.setAttributes({ [ATTR_SERVER_ADDRESS]: r.host, ...(r.port !== undefined ? { [ATTR_SERVER_PORT]: r.port } : {}) });
  const resendCount = r.attempt !== undefined && r.attempt > 1 ? r.attempt - 1 : undefined;
  return context.with(call.context, () =>
    startAttempt({ method: r.method, host: r.host ?? '', port: r.port ?? 0, template: PATH_TEMPLATES[command], resendCount }),
  );
}

function finishAttempt({ call }: Traced, span: ReturnType<typeof beginAttempt>, response: unknown): void {
  const r = attemptResponse(response);
  const failed = r.status !== undefined && r.status >= 400;
  const errorType = failed ? bedrockErrorType({ name: r.errorName, $metadata: { httpStatusCode: r.status } }) : undefined;
  endAttempt(span, r.status, r.requestId ? { [ATTR_AWS_REQUEST_ID]: r.requestId } : {}, errorType);
  if (r.requestId) call.late[ATTR_AWS_REQUEST_ID] = r.requestId;
  const state = stateOf(call.summary);
  state.headerInputTokens = r.inputTokens;
  state.headerOutputTokens = r.outputTokens;
}

export function install(client: ClientLike, settings: ModelSettings<BedrockOperation>): void {
  const stack = client.middlewareStack;
  stack.add(modelMiddleware(settings), { step: 'initialize', name: MODEL_MIDDLEWARE, priority: 'high', override: true, tags: ['LLM_TRACING'] });
  stack.add(attemptMiddleware, { step: 'deserialize', name: ATTEMPT_MIDDLEWARE, priority: 'low', override: true, tags: ['LLM_TRACING'] });
}
