/** What the example handlers share: the HTTP API (payload 2.0) event shape, body parsing, JSON answers, models. */

/** The parts of an API Gateway HTTP API (payload format 2.0) event the handlers read. */
export interface HttpApiEvent {
  version?: string;
  routeKey?: string;
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; http?: { method?: string; path?: string } };
}

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const CHAT_MODEL = process.env.OPENAI_MODEL || 'gpt-4o-mini';
export const EMBEDDING_MODEL = process.env.OPENAI_EMBEDDING_MODEL || 'text-embedding-3-small';
export const SYSTEM_PROMPT = 'You are a concise assistant. Answer in at most three sentences.';

/** The chat request both HTTP handlers send for a question. */
export function chatRequest(question: string) {
  return {
    model: CHAT_MODEL,
    messages: [
      { role: 'system' as const, content: SYSTEM_PROMPT },
      { role: 'user' as const, content: question },
    ],
    max_completion_tokens: 300,
  };
}
const MAX_QUESTION_CHARS = 4000;

export function json(statusCode: number, value: unknown): HttpResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

/** The JSON body of the request (base64-decoded when API Gateway encoded it), or undefined. */
export function jsonBody(event: HttpApiEvent | null | undefined): unknown {
  const raw = event?.body;
  if (typeof raw !== 'string' || raw === '') return undefined;
  try {
    return JSON.parse(event?.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw) as unknown;
  } catch {
    return undefined;
  }
}

/** `{"question": "..."}` → the question, or undefined when missing, empty or too long. */
export function questionOf(event: HttpApiEvent | null | undefined): string | undefined {
  const body = jsonBody(event);
  const q = typeof body === 'object' && body !== null ? (body as { question?: unknown }).question : undefined;
  if (typeof q !== 'string') return undefined;
  const trimmed = q.trim();
  return trimmed && trimmed.length <= MAX_QUESTION_CHARS ? trimmed : undefined;
}

export const badRequest = (): HttpResult => json(400, { error: `send a JSON body like {"question": "..."} (at most ${MAX_QUESTION_CHARS} characters)` });

/** A model call that failed after the SDK's retries: the client gets a 502, the trace has the details. */
export function modelFailure(error: unknown): HttpResult {
  const status = typeof (error as { status?: unknown })?.status === 'number' ? (error as { status: number }).status : undefined;
  console.error('model call failed', status ?? '', error instanceof Error ? error.message : String(error));
  return json(502, { error: 'the model call failed', ...(status ? { upstreamStatus: status } : {}) });
}
