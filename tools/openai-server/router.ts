/** One request from arrival to answer: record it, apply a scripted fault, route it to its endpoint. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chatCompletions } from './chat.ts';
import { embeddings } from './embeddings.ts';
import { badRequest, errorBody, HttpError } from './errors.ts';
import { answerFault } from './faults.ts';
import { readBody, respondJson, sendJson } from './http.ts';
import { hex, modelObject, MODELS } from './model.ts';
import { responsesCreate, responsesRetrieve } from './responses.ts';
import type { Exchange, Json, ServerState } from './types.ts';

const MAX_RECORDED_REQUESTS = 1000;

export async function handle(state: ServerState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const startedAt = Date.now();
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();
  const { body, error } = await parseBody(req);
  const headers: Record<string, string | string[] | undefined> = { ...req.headers };
  state.requests.push({ method, path: url.pathname + url.search, headers, body });
  if (state.requests.length > MAX_RECORDED_REQUESTS) state.requests.splice(0, state.requests.length - MAX_RECORDED_REQUESTS);

  const ex: Exchange = { state, req, res, fault: state.faults.shift(), startedAt, requestId: `req_${hex(16)}`, closed: false };
  res.on('close', () => {
    ex.closed = true;
  });
  if (answerFault(ex)) return;

  try {
    if (error) throw error;
    await route(ex, method, url, (body ?? {}) as Json);
  } catch (err) {
    if (err instanceof HttpError) {
      if (!res.headersSent) sendJson(ex, err.status, err.body);
      else res.destroy();
      return;
    }
    throw err;
  }
}

/** The JSON body (or the raw text when it is not JSON), and the error to answer with once faults had their say. */
async function parseBody(req: IncomingMessage): Promise<{ body: unknown; error?: HttpError }> {
  let rawBody = '';
  try {
    rawBody = await readBody(req);
  } catch (err) {
    const error = err instanceof HttpError ? err : new HttpError(400, errorBody('Could not read request body.', 'invalid_request_error', null));
    return { body: undefined, error };
  }
  if (rawBody.length === 0) return { body: undefined };
  try {
    return { body: JSON.parse(rawBody) };
  } catch {
    return {
      body: rawBody,
      error: badRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      ),
    };
  }
}

async function route(ex: Exchange, method: string, url: URL, body: Json): Promise<void> {
  const path = url.pathname.replace(/\/+$/, '');
  if (method === 'POST' && path === '/v1/chat/completions') return chatCompletions(ex, body);
  if (method === 'POST' && path === '/v1/responses') return responsesCreate(ex, body);
  if (method === 'GET' && path.startsWith('/v1/responses/')) {
    return responsesRetrieve(ex, decodeURIComponent(path.slice('/v1/responses/'.length)), url);
  }
  if (method === 'POST' && path === '/v1/embeddings') return embeddings(ex, body);
  if (method === 'GET' && path === '/v1/models') {
    return respondJson(ex, { object: 'list', data: MODELS.map(modelObject) });
  }
  if (method === 'GET' && path.startsWith('/v1/models/')) {
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    if (!MODELS.includes(id)) {
      throw new HttpError(404, errorBody(`The model '${id}' does not exist`, 'invalid_request_error', 'model_not_found', 'model'));
    }
    return respondJson(ex, modelObject(id));
  }
  throw new HttpError(404, errorBody(`Invalid URL (${method} ${url.pathname})`, 'invalid_request_error', null));
}
