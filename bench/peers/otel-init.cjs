// Peer (a): the OpenTelemetry project's documented Lambda setup (instrumentation-aws-lambda README, "Usage"),
// plus the openai instrumentation (instrumentation-openai README), loaded with
//   NODE_OPTIONS="--require /var/task/otel-init.cjs --experimental-loader=@opentelemetry/instrumentation/hook.mjs"
// (the ESM hook is required on nodejs24.x, where the runtime import()s the handler). The Node SDK reads the
// OTEL_* variables: OTLP over HTTP (protobuf by default), BatchSpanProcessor; the aws-lambda instrumentation
// force-flushes the provider before each response.
const { trace } = require('@opentelemetry/api');
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { AwsLambdaInstrumentation } = require('@opentelemetry/instrumentation-aws-lambda');
const { OpenAIInstrumentation } = require('@opentelemetry/instrumentation-openai');

const instrumentations = [new AwsLambdaInstrumentation(), new OpenAIInstrumentation()];
const sdk = new NodeSDK({ instrumentations });
sdk.start();
// Not in the README: NodeSDK.start() registers the instrumentations before it sets the global tracer provider,
// so the aws-lambda instrumentation finds no provider to flush ("Spans may not be exported ... because we are not
// force flushing before handler completion") and, once Lambda freezes the sandbox, the spans are lost. The ADOT
// layer works around this the same way. BENCH_OTEL_AS_DOCUMENTED=1 leaves it out, to show the difference.
if (process.env.BENCH_OTEL_AS_DOCUMENTED !== '1') {
  for (const i of instrumentations) i.setTracerProvider(trace.getTracerProvider());
}
process.once('beforeExit', async () => {
  await sdk.shutdown();
});
