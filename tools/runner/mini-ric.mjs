// A minimal Lambda runtime interface client, used by the local runner only when
// `aws-lambda-ric` cannot be loaded. It follows what aws-lambda-ric 4.x (the
// nodejs24.x runtime) does: reads _HANDLER / LAMBDA_TASK_ROOT, imports the
// handler module, refuses callback-style (3-parameter) handlers at init, then
// loops GET next -> handler(event, context) -> POST response | error.
// Plain JavaScript on purpose: it runs in the sandbox process, outside any build.
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';

const API = process.env.AWS_LAMBDA_RUNTIME_API;
const HANDLER = process.env._HANDLER;
const TASK_ROOT = process.env.LAMBDA_TASK_ROOT;
const [HOST, PORT] = (API ?? '').split(':');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

let currentRequestId;

// What `awslambda.streamifyResponse` marks a handler with; the same symbols aws-lambda-ric reads.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const HTTP_INTEGRATION = 'application/vnd.awslambda.http-integration-response';

// The global aws-lambda-ric installs before loading the handler module, which may use it at module scope.
globalThis.awslambda = {
  ...globalThis.awslambda,
  streamifyResponse(handler, options) {
    handler[STREAMING] = 'response';
    if (typeof options?.highWaterMark === 'number') handler[HIGH_WATER_MARK] = options.highWaterMark;
    return handler;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(JSON.stringify(prelude));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

/**
 * The response stream a streaming handler writes to: a chunked POST in Lambda's streaming response mode, so the
 * runtime API sees each byte as it is written.
 */
function openResponseStream(base) {
  const req = http.request({
    host: HOST,
    port: Number(PORT),
    path: `${base}/response`,
    method: 'POST',
    agent,
    headers: { 'Lambda-Runtime-Function-Response-Mode': 'streaming', 'Transfer-Encoding': 'chunked', 'Content-Type': 'application/octet-stream' },
  });
  const answered = new Promise((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
  });
  req.setContentType = (type) => req.setHeader('Content-Type', type);
  return { stream: req, answered };
}

function request(method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: Number(PORT), path: urlPath, method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function post(urlPath, value, headers = {}) {
  const body = JSON.stringify(value === undefined ? null : value);
  return request('POST', urlPath, body, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
}

function formatError(error) {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: error.stack ? error.stack.split('\n') : [] };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function namedError(name, message, cause) {
  const e = new Error(message, cause ? { cause } : undefined);
  e.name = name;
  if (cause?.stack) e.stack = `${name}: ${message}\n${cause.stack}`;
  return e;
}

// Lambda's text log format: timestamp, request id, level, message (newlines become \r).
function patchConsole() {
  const levels = { log: 'INFO', info: 'INFO', warn: 'WARN', error: 'ERROR', debug: 'DEBUG', trace: 'TRACE' };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (msg, ...params) => {
      const line = [new Date().toISOString(), currentRequestId ?? 'undefined', level, format(msg, ...params)].join('\t');
      process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    };
  }
}

async function loadHandler() {
  if (!HANDLER) throw namedError('Runtime.PlatformError', '_HANDLER environment variable is not set');
  if (!TASK_ROOT) throw namedError('Runtime.PlatformError', 'LAMBDA_TASK_ROOT environment variable is not set');
  if (HANDLER.includes('..')) {
    throw namedError(
      'Runtime.MalformedHandlerName',
      `'${HANDLER}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = path.basename(HANDLER);
  const moduleRoot = HANDLER.slice(0, HANDLER.length - base.length);
  const m = /^([^.]*)\.(.*)$/.exec(base);
  if (!m) throw namedError('Runtime.MalformedHandlerName', 'Bad handler');
  const [, moduleName, handlerName] = m;
  const full = path.resolve(TASK_ROOT, moduleRoot, moduleName);
  let mod;
  try {
    for (const ext of ['', '.js', '.mjs', '.cjs']) {
      const file = full + ext;
      if (fs.existsSync(file) && fs.statSync(file).isFile()) {
        mod = await import(pathToFileURL(file).href);
        break;
      }
    }
    if (!mod) throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { code: 'MODULE_NOT_FOUND' });
  } catch (err) {
    if (err instanceof SyntaxError) throw namedError('Runtime.UserCodeSyntaxError', `${err.name}: ${err.message}`, err);
    if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') {
      throw namedError('Runtime.ImportModuleError', `Error: ${err.message}`, err);
    }
    throw err;
  }
  const find = (obj) => handlerName.split('.').reduce((o, k) => (o && (typeof o === 'object' || typeof o === 'function') ? o[k] : undefined), obj);
  let fn = find(mod);
  if (!fn && mod && 'default' in mod) fn = find(mod.default);
  if (!fn) throw namedError('Runtime.HandlerNotFound', `${HANDLER} is undefined or not exported`);
  if (typeof fn !== 'function') throw namedError('Runtime.HandlerNotFound', `${HANDLER} is not a function`);
  if (fn.length >= 3 && fn[STREAMING] !== 'response') {
    throw namedError(
      'Runtime.CallbackHandlerDeprecated',
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later. For more information see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html.',
    );
  }
  return fn;
}

function buildContext(headers) {
  const h = (name) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const deadline = Number(h('lambda-runtime-deadline-ms'));
  const parse = (name) => {
    const v = h(name);
    return v === undefined ? undefined : JSON.parse(v);
  };
  const trace = h('lambda-runtime-trace-id');
  if (trace) process.env._X_AMZN_TRACE_ID = trace;
  else delete process.env._X_AMZN_TRACE_ID;
  let waits = true;
  return {
    awsRequestId: h('lambda-runtime-aws-request-id'),
    invokedFunctionArn: h('lambda-runtime-invoked-function-arn'),
    xRayTraceId: trace,
    clientContext: parse('lambda-runtime-client-context'),
    identity: parse('lambda-runtime-cognito-identity'),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => deadline - Date.now(),
    get callbackWaitsForEmptyEventLoop() {
      return waits;
    },
    set callbackWaitsForEmptyEventLoop(v) {
      waits = v;
    },
  };
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (err) {
    console.error('Init Error', err);
    const f = formatError(err);
    await post('/2018-06-01/runtime/init/error', f, { 'Lambda-Runtime-Function-Error-Type': f.errorType });
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', '/2018-06-01/runtime/invocation/next');
    const context = buildContext(next.headers);
    const id = context.awsRequestId;
    currentRequestId = id;
    const base = `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}`;
    try {
      if (handler[STREAMING] === 'response') {
        const { stream, answered } = openResponseStream(base);
        await handler(JSON.parse(next.body), stream, context);
        if (!stream.writableFinished) await new Promise((r) => stream.on('finish', r));
        await answered;
        continue;
      }
      const result = await handler(JSON.parse(next.body), context);
      await new Promise((r) => setImmediate(r));
      await post(`${base}/response`, result);
    } catch (err) {
      await new Promise((r) => setImmediate(r));
      console.error('Invoke Error', err);
      const f = formatError(err);
      await post(`${base}/error`, f, { 'Lambda-Runtime-Function-Error-Type': f.errorType });
    }
  }
}

await main();
