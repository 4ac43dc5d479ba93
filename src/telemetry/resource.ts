import type { Attributes } from '@opentelemetry/api';
import { defaultResource, envDetector, detectResources, resourceFromAttributes, type Resource } from '@opentelemetry/resources';
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
  let resource = defaultResource()
    .merge(resourceFromAttributes(lambda))
    .merge(detectResources({ detectors: [envDetector] }));
  const overrides: Attributes = { ...extra };
  if (serviceName) overrides[S.ATTR_SERVICE_NAME] = serviceName;
  if (Object.keys(overrides).length > 0) resource = resource.merge(resourceFromAttributes(overrides));
  return resource;
}
