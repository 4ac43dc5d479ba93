/**
 * The parts of the AWS SDK v3 client we touch, as structural types: the library never imports `@aws-sdk/*`
 * or `@smithy/*` at run time (a user's bundle would carry a second copy), and these shapes hold across the
 * SDK's versions. Also the per-attempt facts read from the raw HTTP request and response.
 */

/** The handler context the SDK passes, the same object, to every middleware of one `send()`. */
export interface HandlerContext {
  commandName?: string;
  [key: symbol]: unknown;
}
export interface HandlerArgs {
  input: Record<string, unknown>;
  request?: unknown;
}
export interface HandlerOutput {
  output?: Record<string, unknown>;
  response?: unknown;
}
export type Handler = (args: HandlerArgs) => Promise<HandlerOutput>;
export type Middleware = (next: Handler, context: HandlerContext) => Handler;

export interface MiddlewareStackLike {
  add(middleware: Middleware, options: { step: string; name: string; priority?: string; override?: boolean; tags?: string[] }): void;
}
export interface ClientLike {
  middlewareStack: MiddlewareStackLike;
}

export const isClient = (value: unknown): value is ClientLike => typeof (value as ClientLike | undefined)?.middlewareStack?.add === 'function';

/** The commands we trace, by the name the SDK puts in the handler context. */
export type TracedCommand = 'ConverseCommand' | 'ConverseStreamCommand' | 'InvokeModelCommand' | 'InvokeModelWithResponseStreamCommand';
const TRACED = new Set<string>(['ConverseCommand', 'ConverseStreamCommand', 'InvokeModelCommand', 'InvokeModelWithResponseStreamCommand']);
export const tracedCommand = (name: unknown): TracedCommand | undefined => (typeof name === 'string' && TRACED.has(name) ? (name as TracedCommand) : undefined);

export const isStreamCommand = (c: TracedCommand): boolean => c === 'ConverseStreamCommand' || c === 'InvokeModelWithResponseStreamCommand';

/** The URL suffix per command, for the attempt span's path template. */
export const PATH_TEMPLATES: Record<TracedCommand, string> = {
  ConverseCommand: '/model/{modelId}/converse',
  ConverseStreamCommand: '/model/{modelId}/converse-stream',
  InvokeModelCommand: '/model/{modelId}/invoke',
  InvokeModelWithResponseStreamCommand: '/model/{modelId}/invoke-with-response-stream',
};

type Headers = Record<string, string | undefined>;
interface RawRequest {
  method?: string;
  protocol?: string;
  hostname?: string;
  port?: number;
  headers?: Headers;
}
interface RawResponse {
  statusCode?: number;
  headers?: Headers;
}

export interface AttemptRequest {
  method: string;
  host: string | undefined;
  port: number | undefined;
  /** From `amz-sdk-request: attempt=N; max=M`, which the retry middleware sets before each attempt. */
  attempt: number | undefined;
}

export function attemptRequest(request: unknown): AttemptRequest {
  const r = (request ?? {}) as RawRequest;
  const match = /attempt=(\d+)/.exec(r.headers?.['amz-sdk-request'] ?? '');
  const port = typeof r.port === 'number' ? r.port : r.protocol === 'http:' ? 80 : r.hostname ? 443 : undefined;
  return { method: (r.method ?? 'POST').toUpperCase(), host: r.hostname, port, attempt: match ? Number(match[1]) : undefined };
}

export interface AttemptResponse {
  status: number | undefined;
  requestId: string | undefined;
  /** Bedrock's error type from `x-amzn-errortype` (`ThrottlingException:http://…` → `ThrottlingException`). */
  errorName: string | undefined;
  /** InvokeModel's token counts, sent as headers whatever the family. */
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

const intHeader = (v: string | undefined): number | undefined => (v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined);

export function attemptResponse(response: unknown): AttemptResponse {
  const r = (response ?? {}) as RawResponse;
  const h = r.headers ?? {};
  const get = (name: string): string | undefined => h[name] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];
  return {
    status: typeof r.statusCode === 'number' ? r.statusCode : undefined,
    requestId: get('x-amzn-requestid') ?? get('x-amz-request-id'),
    errorName: get('x-amzn-errortype')?.split(':')[0] || undefined,
    inputTokens: intHeader(get('x-amzn-bedrock-input-token-count')),
    outputTokens: intHeader(get('x-amzn-bedrock-output-token-count')),
  };
}
