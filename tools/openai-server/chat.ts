/** `POST /v1/chat/completions`: plain, streamed, n > 1, structured outputs and tool calls. */
import { badRequest, errorBody } from './errors.ts';
import { respondJson, respondSse } from './http.ts';
import { alnumId, completionWords, isReasoningModel, MARKER, nowSeconds, REASONING_TOKENS, requireModel, resolveModel, serviceTier, shortHash, splitEvenly, wordsToDeltas } from './model.ts';
import { sampleFromSchema } from './schema.ts';
import { cachedTokens, chatPromptTokens, tokensForText } from './tokens.ts';
import type { Exchange, Fault, Json } from './types.ts';

const MAX_CHOICES = 16;

export async function chatCompletions(ex: Exchange, body: Json): Promise<void> {
  const requested = requireModel(body);
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) {
    throw badRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  const model = resolveModel(requested);
  const { tokens: promptTokens, text: promptText } = chatPromptTokens(body);
  const plans = planChat(body, promptText, ex.fault);
  const head: ChatHead = {
    id: `chatcmpl-${alnumId(29)}`,
    created: nowSeconds(),
    model,
    tier: serviceTier(body),
    fingerprint: `fp_${shortHash(model, 10)}`,
  };
  const usage = chatUsage(body, promptTokens, plans, model);
  if (body['stream'] !== true) return respondJson(ex, chatCompletion(head, plans, usage));
  const includeUsage = body['stream_options']?.['include_usage'] === true;
  const errorFrame = `data: ${JSON.stringify(
    errorBody('The server had an error while processing your request. Sorry about that!', 'server_error', 'server_error'),
  )}\n\n`;
  return respondSse(ex, chatFrames(head, plans, includeUsage ? usage : undefined), errorFrame, true);
}

interface ChatChoicePlan {
  index: number;
  kind: 'text' | 'tool';
  content: string; // text content (for 'text')
  deltas: string[]; // streaming pieces of content or tool arguments
  toolName?: string;
  toolArgs?: string;
  toolCallId?: string;
  finishReason: 'stop' | 'length' | 'content_filter' | 'tool_calls';
  completionTokens: number;
}

function pickTool(body: Json, forced: boolean): { name: string; parameters: unknown } | undefined {
  const tools: Json[] = Array.isArray(body['tools']) ? body['tools'] : [];
  const fnTools = tools.filter((t) => t?.['type'] === 'function' && t['function']?.['name']);
  const choice = body['tool_choice'];
  if (choice && typeof choice === 'object' && choice['type'] === 'function') {
    const name = choice['function']?.['name'] ?? choice['name'];
    const tool = fnTools.find((t) => t['function']['name'] === name);
    return { name, parameters: tool?.['function']?.['parameters'] ?? {} };
  }
  if (choice === 'required' || forced) {
    const tool = fnTools[0];
    if (tool) return { name: tool['function']['name'], parameters: tool['function']['parameters'] ?? {} };
    if (forced) return { name: 'zephyr_tool', parameters: { type: 'object', properties: { note: { type: 'string' } } } };
  }
  return undefined;
}

function chatFormatContent(body: Json): string | undefined {
  const rf = body['response_format'] as Json | undefined;
  if (rf?.['type'] === 'json_schema') {
    return JSON.stringify(sampleFromSchema(rf['json_schema']?.['schema'] ?? { type: 'object', properties: {} }));
  }
  if (rf?.['type'] === 'json_object') return JSON.stringify({ result: MARKER });
  return undefined;
}

function planChat(body: Json, promptText: string, fault: Fault | undefined): ChatChoicePlan[] {
  const nRaw = body['n'] ?? 1;
  if (typeof nRaw !== 'number' || !Number.isInteger(nRaw) || nRaw < 1 || nRaw > MAX_CHOICES) {
    throw badRequest(`Invalid 'n': must be an integer between 1 and ${MAX_CHOICES}.`, 'n', 'invalid_value');
  }
  const maxTokens = body['max_completion_tokens'] ?? body['max_tokens'];
  const messages: Json[] = Array.isArray(body['messages']) ? body['messages'] : [];
  const afterToolResult = messages.length > 0 && messages[messages.length - 1]?.['role'] === 'tool';
  const forcedFinish = fault?.kind === 'finish' ? fault.reason : undefined;
  const plans: ChatChoicePlan[] = [];
  for (let index = 0; index < nRaw; index++) {
    const tool = afterToolResult && forcedFinish !== 'tool_calls' ? undefined : pickTool(body, forcedFinish === 'tool_calls');
    if (tool) {
      const args = JSON.stringify(sampleFromSchema(tool.parameters));
      plans.push({
        index,
        kind: 'tool',
        content: '',
        deltas: splitEvenly(args, 8),
        toolName: tool.name,
        toolArgs: args,
        toolCallId: `call_${alnumId(24)}`,
        finishReason: 'tool_calls',
        completionTokens: tokensForText(args) + 5,
      });
      continue;
    }
    const formatted = chatFormatContent(body);
    let pieces = formatted !== undefined ? splitEvenly(formatted, 8) : wordsToDeltas(completionWords(promptText, index));
    let finishReason: ChatChoicePlan['finishReason'] = 'stop';
    if (typeof maxTokens === 'number' && maxTokens >= 1 && pieces.length > maxTokens) {
      pieces = pieces.slice(0, maxTokens);
      finishReason = 'length';
    }
    if (forcedFinish === 'length' || forcedFinish === 'content_filter') {
      pieces = pieces.slice(0, Math.max(1, Math.ceil(pieces.length / 2)));
      finishReason = forcedFinish;
    }
    plans.push({
      index,
      kind: 'text',
      content: pieces.join(''),
      deltas: pieces,
      finishReason,
      completionTokens: pieces.length,
    });
  }
  return plans;
}

function chatUsage(body: Json, promptTokens: number, plans: ChatChoicePlan[], model: string): Json {
  const reasoning = isReasoningModel(model) ? REASONING_TOKENS : 0;
  const completion = plans.reduce((sum, p) => sum + p.completionTokens, 0) + reasoning;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completion,
    total_tokens: promptTokens + completion,
    prompt_tokens_details: { cached_tokens: cachedTokens(promptTokens, body), audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** What every completion and chunk of one request shares. */
interface ChatHead {
  id: string;
  created: number;
  model: string;
  tier: Json;
  fingerprint: string;
}

function chatCompletion(head: ChatHead, plans: ChatChoicePlan[], usage: Json): Json {
  return {
    id: head.id,
    object: 'chat.completion',
    created: head.created,
    model: head.model,
    choices: plans.map((p) => ({
      index: p.index,
      message:
        p.kind === 'tool'
          ? {
              role: 'assistant',
              content: null,
              tool_calls: [{ id: p.toolCallId, type: 'function', function: { name: p.toolName, arguments: p.toolArgs } }],
              refusal: null,
              annotations: [],
            }
          : { role: 'assistant', content: p.content, refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: p.finishReason,
    })),
    usage,
    ...head.tier,
    system_fingerprint: head.fingerprint,
  };
}

/** The SSE frames: a role chunk for every choice first, then content deltas interleaved, then finish chunks. */
function chatFrames(head: ChatHead, plans: ChatChoicePlan[], usage: Json | undefined): string[] {
  const chunk = (choices: Json[], extra: Json = {}): string =>
    `data: ${JSON.stringify({
      id: head.id,
      object: 'chat.completion.chunk',
      created: head.created,
      model: head.model,
      ...head.tier,
      system_fingerprint: head.fingerprint,
      choices,
      ...(usage ? { usage: null } : {}),
      ...extra,
    })}\n\n`;
  const frames: string[] = [];
  for (const p of plans) {
    const delta: Json =
      p.kind === 'tool'
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [{ index: 0, id: p.toolCallId, type: 'function', function: { name: p.toolName, arguments: '' } }],
            refusal: null,
          }
        : { role: 'assistant', content: '', refusal: null };
    frames.push(chunk([{ index: p.index, delta, logprobs: null, finish_reason: null }]));
  }
  const longest = Math.max(...plans.map((p) => p.deltas.length));
  for (let i = 0; i < longest; i++) {
    for (const p of plans) {
      const piece = p.deltas[i];
      if (piece === undefined) continue;
      const delta: Json =
        p.kind === 'tool' ? { tool_calls: [{ index: 0, function: { arguments: piece } }] } : { content: piece };
      frames.push(chunk([{ index: p.index, delta, logprobs: null, finish_reason: null }]));
    }
  }
  for (const p of plans) {
    frames.push(chunk([{ index: p.index, delta: {}, logprobs: null, finish_reason: p.finishReason }]));
  }
  if (usage) frames.push(chunk([], { usage }));
  return frames;
}
