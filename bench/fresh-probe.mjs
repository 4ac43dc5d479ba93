// One fresh-process cold start: import the bundle named in argv[2], serve one invocation, print the timings as
// JSON. performance.now() counts from the process's time origin, so `importedAt` includes Node's start and any
// `--import` preload (the extension) as well as the bundle itself. Plain JS: nothing else is loaded.
const bundle = process.argv[2];
const before = performance.now();
const { handler } = await import(bundle);
const importedAt = performance.now();
const result = await handler(
  { question: 'fresh' },
  {
    awsRequestId: `fresh-${process.pid}`,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    memoryLimitInMB: '1024',
    getRemainingTimeInMillis: () => 30_000,
  },
);
const answeredAt = performance.now();
const undici = process.moduleLoadList.some((m) => /undici/.test(m));
process.stdout.write(
  JSON.stringify({ importedAt, importMs: importedAt - before, firstMs: answeredAt - importedAt, totalMs: answeredAt, ok: result?.statusCode === 200, undici }) +
    '\n',
);
process.exit(0);
