import { diag, type Attributes } from '@opentelemetry/api';
import { defaultResource, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { env } from './config.js';
import * as S from './semconv.js';

/**
 * Resource of the sandbox, in increasing precedence: SDK defaults, what the Lambda environment tells, the
 * standard variables (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`), then options. The service name falls back
 * to the function name, so a backend never shows `unknown_service`.
 */
export function lambdaResource(serviceName: string | undefined, extra: Attributes | undefined): Resource {
  const fn = env('AWS_LAMBDA_FUNCTION_NAME');
  const memoryMb = Number(env('AWS_LAMBDA_FUNCTION_MEMORY_SIZE'));
  const lambda: Attributes = {
    [S.ATTR_CLOUD_PROVIDER]: 'aws',
    [S.ATTR_CLOUD_PLATFORM]: 'aws_lambda',
  };
  const set = (key: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') lambda[key] = value;
  };
  set(S.ATTR_SERVICE_NAME, fn);
  set(S.ATTR_CLOUD_REGION, env('AWS_REGION'));
  set(S.ATTR_FAAS_NAME, fn);
  set(S.ATTR_FAAS_VERSION, env('AWS_LAMBDA_FUNCTION_VERSION'));
  set(S.ATTR_FAAS_INSTANCE, env('AWS_LAMBDA_LOG_STREAM_NAME'));
  if (Number.isFinite(memoryMb) && memoryMb > 0) set(S.ATTR_FAAS_MAX_MEMORY, memoryMb * 1024 * 1024);
  let resource = defaultResource().merge(resourceFromAttributes(lambda)).merge(resourceFromAttributes(envResourceAttributes()));
  const overrides: Attributes = { ...extra };
  if (serviceName) overrides[S.ATTR_SERVICE_NAME] = serviceName;
  if (Object.keys(overrides).length > 0) resource = resource.merge(resourceFromAttributes(overrides));
  return resource;
}

/**
 * `OTEL_RESOURCE_ATTRIBUTES` read as the SDK's env detector reads it (`key=value` pairs, trimmed, percent-decoded,
 * at most 255 characters each; any bad entry discards the whole value), without the detector classes' bytes.
 */
export function envResourceAttributes(): Attributes {
  const raw = env('OTEL_RESOURCE_ATTRIBUTES');
  const attributes: Attributes = {};
  try {
    for (const entry of raw?.split(',') ?? []) {
      if (entry.trim() === '') continue;
      const pair = entry.split('=');
      if (pair.length !== 2 || pair[0]!.trim() === '') throw new Error(`bad entry "${entry}"`);
      const [key, value] = pair.map((part) => decodeURIComponent(part.trim())) as [string, string];
      if (key.length > 255 || value.length > 255) throw new Error(`entry "${key}" over 255 characters`);
      attributes[key] = value;
    }
  } catch (error) {
    diag.debug(`lambda-llm-tracing: OTEL_RESOURCE_ATTRIBUTES ignored: ${(error as Error).message}`);
    return {};
  }
  return attributes;
}
