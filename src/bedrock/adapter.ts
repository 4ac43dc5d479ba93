/**
 * Bedrock's translation to the provider-neutral model span. The operation names the command and, for
 * InvokeModel, the model family (`InvokeModelCommand:anthropic`), chosen from the model id: a family we do not
 * read is `invoke_model`, with only what the request and Bedrock's headers tell.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ModelAdapter } from '../genai/adapter.js';
import * as G from '../genai/semconv.js';
import { obj, str } from '../util.js';
import { converseInput, converseOutput, converseOutputEvent } from './content.js';
import { converseEvent, converseRequest, converseResponse } from './converse.js';
import { bedrockErrorType } from './errors.js';
import { fill, jsonBody, merge, type RequestFacts } from './facts.js';
import { bedrockFields, familyNamed, familyOf, type Family } from './families.js';
import type { TracedCommand } from './sdk.js';
import { project, stateOf } from './state.js';

export type BedrockOperation = TracedCommand | `${TracedCommand}:${string}`;

export const PROVIDER_AWS_BEDROCK = 'aws.bedrock';
export const ATTR_AWS_BEDROCK_GUARDRAIL_ID = 'aws.bedrock.guardrail.id';
/** Ours: the conventions name the guardrail id only. */
export const ATTR_LLM_BEDROCK_GUARDRAIL_VERSION = 'llm.bedrock.guardrail.version';

export function operationOf(command: TracedCommand, modelId: string): BedrockOperation {
  const family = command.startsWith('Invoke') ? familyOf(modelId) : undefined;
  return family ? `${command}:${family.name}` : command;
}

function parse(op: BedrockOperation): { command: TracedCommand; family: Family | undefined; converse: boolean } {
  const [command, family] = op.split(':') as [TracedCommand, string | undefined];
  return { command, family: family ? familyNamed(family) : undefined, converse: command.startsWith('Converse') };
}

export function guardrailOf(params: Record<string, unknown>): { id?: string | undefined; version?: string | undefined } {
  const config = obj(params['guardrailConfig']);
  return {
    id: str(config?.['guardrailIdentifier'] ?? params['guardrailIdentifier']),
    version: str(config?.['guardrailVersion'] ?? params['guardrailVersion']),
  };
}

function requestFacts(op: BedrockOperation, params: Record<string, unknown>): { name: string; facts: RequestFacts } {
  const { converse, family } = parse(op);
  if (converse) return { name: 'chat', facts: converseRequest(params) };
  if (!family) return { name: 'invoke_model', facts: {} };
  const body = jsonBody(params['body']);
  return { name: family.operation, facts: body ? family.request(body) : {} };
}

const decoder = new TextDecoder();
const chunkJson = (event: unknown): Record<string, unknown> | undefined => {
  const bytes = obj(obj(event)?.['chunk'])?.['bytes'];
  return bytes instanceof Uint8Array ? jsonBody(decoder.decode(bytes)) : undefined;
};

export const bedrockAdapter: ModelAdapter<BedrockOperation> = {
  request(op, params, server) {
    const modelId = str(params['modelId']) ?? '';
    const { name, facts } = requestFacts(op, params);
    const attributes: Attributes = { [G.ATTR_GEN_AI_OPERATION_NAME]: name, [G.ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_AWS_BEDROCK, ...server };
    const set = (k: string, v: string | number | boolean | string[] | undefined) => {
      if (v !== undefined) attributes[k] = v;
    };
    set(G.ATTR_GEN_AI_REQUEST_MODEL, modelId || undefined);
    set(G.ATTR_GEN_AI_REQUEST_MAX_TOKENS, facts.maxTokens);
    set(G.ATTR_GEN_AI_REQUEST_TEMPERATURE, facts.temperature);
    set(G.ATTR_GEN_AI_REQUEST_TOP_P, facts.topP);
    set(G.ATTR_GEN_AI_REQUEST_TOP_K, facts.topK);
    set(G.ATTR_GEN_AI_REQUEST_STOP_SEQUENCES, facts.stopSequences);
    const streaming = op.startsWith('ConverseStream') || op.startsWith('InvokeModelWithResponseStream');
    if (streaming) attributes[G.ATTR_GEN_AI_REQUEST_STREAM] = true;
    const guardrail = guardrailOf(params);
    set(ATTR_AWS_BEDROCK_GUARDRAIL_ID, guardrail.id);
    set(ATTR_LLM_BEDROCK_GUARDRAIL_VERSION, guardrail.version);
    return { name: `${name} ${modelId}`.trim(), attributes, model: modelId || undefined, streaming };
  },
  input(op, params) {
    return parse(op).converse ? converseInput(params) : undefined;
  },
  response(summary, op, value) {
    const output = obj(value);
    if (!output) return;
    const state = stateOf(summary);
    const { converse, family } = parse(op);
    if (converse) {
      merge(state.facts, converseResponse(output));
      if (summary.keepText) converseOutput(summary.choice(0), obj(output['output'])?.['message']);
    } else {
      const body = jsonBody(output['body']);
      if (body && family) merge(state.facts, family.response(body));
      if (body) fill(state.facts, bedrockFields(body));
    }
    project(summary, state);
  },
  chunk(summary, op, event) {
    const state = stateOf(summary);
    const { converse, family } = parse(op);
    if (converse) {
      merge(state.facts, converseEvent(event));
      if (summary.keepText) converseOutputEvent(summary.choice(0), state.tools, event);
    } else {
      const chunk = chunkJson(event);
      if (!chunk) return;
      if (family?.chunk) merge(state.facts, family.chunk(chunk));
      fill(state.facts, bedrockFields(chunk));
    }
    project(summary, state);
  },
  errorType: bedrockErrorType,
};
