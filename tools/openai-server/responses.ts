/** `POST /v1/responses` and `GET /v1/responses/{id}`: plain, streamed, structured outputs and function calls. */
import { badRequest, errorBody, HttpError } from './errors.ts';
import { respondJson, respondSse } from './http.ts';
import {
  alnumId,
  completionWords,
  hex,
  isReasoningModel,
  MARKER,
  nowSeconds,
  REASONING_TOKENS,
  requireModel,
  resolveModel,
  serviceTier,
  splitEvenly,
  wordsToDeltas,
} from './model.ts';
import { responseFrames } from './responses-stream.ts';
import { sampleFromSchema } from './schema.ts';
import { cachedTokens, responsesPromptTokens, tokensForText } from './tokens.ts';
import type { Exchange, Fault, Json, ServerState } from './types.ts';

const MAX_STORED_RESPONSES = 200;

export async function responsesCreate(ex: Exchange, body: Json): Promise<void> {
  const { response, deltas } = buildResponse(body, ex.fault);
  storeResponse(ex.state, response);
  if (body['stream'] !== true) return respondJson(ex, response);
  const { frames, errorFrame } = responseFrames(response, deltas);
  const at = ex.fault?.kind === 'midStreamError' ? Math.min(ex.fault.afterChunks, frames.length) : 0;
  return respondSse(ex, frames, errorFrame(at), false);
}

export async function responsesRetrieve(ex: Exchange, id: string, url: URL): Promise<void> {
  const response = ex.state.storedResponses.get(id);
  if (!response) {
    throw new HttpError(404, errorBody(`Response with id '${id}' not found.`, 'invalid_request_error', null, 'response_id'));
  }
  if (url.searchParams.get('stream') !== 'true') return respondJson(ex, response);
  const deltas = (response['output'] as Json[]).map((item) =>
    item['type'] === 'message'
      ? splitEvenly(String(item['content'][0]['text']), 8)
      : item['type'] === 'function_call'
        ? splitEvenly(String(item['arguments']), 8)
        : [],
  );
  const { frames, errorFrame } = responseFrames(response, deltas);
  const after = Number(url.searchParams.get('starting_after') ?? NaN);
  const kept = Number.isFinite(after) ? frames.slice(after + 1) : frames;
  return respondSse(ex, kept, errorFrame(0), false);
}

/** Builds the final response object plus the streaming "plan" (deltas per output item). */
export function buildResponse(body: Json, fault: Fault | undefined): { response: Json; deltas: string[][] } {
  const requested = requireModel(body);
  if (body['input'] === undefined && body['previous_response_id'] === undefined && body['prompt'] === undefined) {
    throw badRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
  const model = resolveModel(requested);
  const { tokens: inputTokens, text: promptText } = responsesPromptTokens(body);
  const reasoning = isReasoningModel(model) ? REASONING_TOKENS : 0;
  const out = responseOutput(body, promptText, reasoning, fault);
  const response = responseObject(body, model, out);
  response['usage'] = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: cachedTokens(inputTokens, body) },
    output_tokens: out.outputTokens,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: inputTokens + out.outputTokens,
  };
  response['user'] = body['user'] ?? null;
  response['metadata'] = body['metadata'] ?? {};
  if (fault?.kind === 'output') {
    response['output'] = fault.items;
    if (fault.omitStatus) delete response['status'];
    return { response, deltas: fault.items.map(() => []) };
  }
  return { response, deltas: out.deltas };
}

function responseTextFormat(body: Json): string | undefined {
  const format = body['text']?.['format'] as Json | undefined;
  if (format?.['type'] === 'json_schema') {
    return JSON.stringify(sampleFromSchema(format['schema'] ?? { type: 'object', properties: {} }));
  }
  if (format?.['type'] === 'json_object') return JSON.stringify({ result: MARKER });
  return undefined;
}

function pickResponsesTool(body: Json, forced: boolean): { name: string; parameters: unknown } | undefined {
  const tools: Json[] = Array.isArray(body['tools']) ? body['tools'] : [];
  const fnTools = tools.filter((t) => t?.['type'] === 'function' && typeof t['name'] === 'string');
  const choice = body['tool_choice'];
  if (choice && typeof choice === 'object' && choice['type'] === 'function') {
    const tool = fnTools.find((t) => t['name'] === choice['name']);
    return { name: choice['name'], parameters: tool?.['parameters'] ?? {} };
  }
  if (choice === 'required' || forced) {
    const tool = fnTools[0];
    if (tool) return { name: tool['name'], parameters: tool['parameters'] ?? {} };
    if (forced) return { name: 'zephyr_tool', parameters: { type: 'object', properties: { note: { type: 'string' } } } };
  }
  return undefined;
}

/** What the model "said": the output items, their streaming pieces, and whether it finished. */
interface ResponseOutput {
  output: Json[];
  /** Streaming pieces per output item (text deltas or argument deltas). */
  deltas: string[][];
  status: 'completed' | 'incomplete';
  incomplete: Json | null;
  outputTokens: number;
}

function responseOutput(body: Json, promptText: string, reasoning: number, fault: Fault | undefined): ResponseOutput {
  const forcedFinish = fault?.kind === 'finish' ? fault.reason : undefined;
  const input = body['input'];
  const afterToolResult = Array.isArray(input) && input.length > 0 && input[input.length - 1]?.['type'] === 'function_call_output';
  const out: ResponseOutput = { output: [], deltas: [], status: 'completed', incomplete: null, outputTokens: reasoning };
  if (reasoning) {
    out.output.push({ id: `rs_${hex(24)}`, type: 'reasoning', summary: [] });
    out.deltas.push([]);
  }
  const tool = afterToolResult && forcedFinish !== 'tool_calls' ? undefined : pickResponsesTool(body, forcedFinish === 'tool_calls');
  if (tool) {
    const args = JSON.stringify(sampleFromSchema(tool.parameters));
    out.output.push({
      id: `fc_${hex(24)}`,
      type: 'function_call',
      status: 'completed',
      arguments: args,
      call_id: `call_${alnumId(24)}`,
      name: tool.name,
    });
    out.deltas.push(splitEvenly(args, 8));
    out.outputTokens += tokensForText(args) + 5;
    return out;
  }
  const formatted = responseTextFormat(body);
  let pieces = formatted !== undefined ? splitEvenly(formatted, 8) : wordsToDeltas(completionWords(promptText, 0));
  const maxOut = body['max_output_tokens'];
  if (typeof maxOut === 'number' && maxOut >= 1 && pieces.length + reasoning > maxOut) {
    pieces = pieces.slice(0, Math.max(1, maxOut - reasoning));
    out.status = 'incomplete';
    out.incomplete = { reason: 'max_output_tokens' };
  }
  if (forcedFinish === 'length' || forcedFinish === 'content_filter') {
    pieces = pieces.slice(0, Math.max(1, Math.ceil(pieces.length / 2)));
    out.status = 'incomplete';
    out.incomplete = { reason: forcedFinish === 'length' ? 'max_output_tokens' : 'content_filter' };
  }
  out.output.push({
    id: `msg_${hex(24)}`,
    type: 'message',
    status: out.status === 'completed' ? 'completed' : 'incomplete',
    content: [{ type: 'output_text', annotations: [], logprobs: [], text: pieces.join('') }],
    role: 'assistant',
  });
  out.deltas.push(pieces);
  out.outputTokens += pieces.length;
  return out;
}

/** The response object as the API returns it, with the request's settings echoed; usage is added by the caller. */
function responseObject(body: Json, model: string, out: ResponseOutput): Json {
  const format = body['text']?.['format'] ?? { type: 'text' };
  return {
    id: `resp_${hex(24)}`,
    object: 'response',
    created_at: nowSeconds(),
    status: out.status,
    background: body['background'] === true,
    error: null,
    incomplete_details: out.incomplete,
    instructions: body['instructions'] ?? null,
    max_output_tokens: body['max_output_tokens'] ?? null,
    max_tool_calls: body['max_tool_calls'] ?? null,
    model,
    output: out.output,
    parallel_tool_calls: body['parallel_tool_calls'] ?? true,
    previous_response_id: body['previous_response_id'] ?? null,
    prompt_cache_key: body['prompt_cache_key'] ?? null,
    reasoning: { effort: body['reasoning']?.['effort'] ?? null, summary: body['reasoning']?.['summary'] ?? null },
    safety_identifier: body['safety_identifier'] ?? null,
    ...(typeof body['service_tier'] === 'string' ? serviceTier(body) : {}),
    store: body['store'] ?? true,
    temperature: body['temperature'] ?? 1,
    text: { format, verbosity: body['text']?.['verbosity'] ?? 'medium' },
    tool_choice: body['tool_choice'] ?? 'auto',
    tools: Array.isArray(body['tools']) ? body['tools'] : [],
    top_logprobs: body['top_logprobs'] ?? 0,
    top_p: body['top_p'] ?? 1,
    truncation: body['truncation'] ?? 'disabled',
  };
}

function storeResponse(state: ServerState, response: Json): void {
  state.storedResponses.set(response['id'], response);
  if (state.storedResponses.size > MAX_STORED_RESPONSES) {
    const oldest = state.storedResponses.keys().next().value;
    if (oldest !== undefined) state.storedResponses.delete(oldest);
  }
}
