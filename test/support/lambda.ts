import { randomUUID } from 'node:crypto';
import type { LambdaContext } from '../../src/index.js';

/** A Lambda context object as the runtime passes it: input to the handler, built the way the RIC builds it. */
export function lambdaContext(opts: { timeoutMs?: number; functionName?: string; xRayTraceId?: string } = {}): LambdaContext {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const functionName = opts.functionName ?? 'test-fn';
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    logStreamName: '2026/11/24/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: true,
    ...(opts.xRayTraceId ? { xRayTraceId: opts.xRayTraceId } : {}),
  };
}

export const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
export const PARENT_ID = 'b7ad6b7169203331';
export const TRACEPARENT = `00-${TRACE_ID}-${PARENT_ID}-01`;

/** Points the exporter at the receiver and sets what Lambda sets; call before the first wrapped invocation. */
export function lambdaEnv(receiverUrl: string, extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    AWS_LAMBDA_FUNCTION_NAME: 'test-fn',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/24/[$LATEST]abcdef',
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    ...extra,
  });
}
