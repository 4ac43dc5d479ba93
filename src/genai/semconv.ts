/**
 * GenAI semantic-convention names, pinned to one release: the OpenTelemetry GenAI semantic conventions
 * v0.1.0 (open-telemetry/semantic-conventions-genai, the first standalone release; it continues the GenAI
 * conventions of semantic-conventions v1.41.0). The names below were checked against that repository's model and
 * against `@opentelemetry/semantic-conventions` 1.45.0 (incubating). Names of our own carry the `llm.` prefix.
 */
export const GENAI_SEMCONV_VERSION = 'semantic-conventions-genai v0.1.0';

export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = 'gen_ai.request.max_tokens';
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = 'gen_ai.request.temperature';
export const ATTR_GEN_AI_REQUEST_TOP_P = 'gen_ai.request.top_p';
export const ATTR_GEN_AI_REQUEST_TOP_K = 'gen_ai.request.top_k';
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = 'gen_ai.request.frequency_penalty';
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = 'gen_ai.request.presence_penalty';
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = 'gen_ai.request.stop_sequences';
export const ATTR_GEN_AI_REQUEST_SEED = 'gen_ai.request.seed';
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = 'gen_ai.request.choice.count';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_REQUEST_ENCODING_FORMATS = 'gen_ai.request.encoding_formats';
export const ATTR_GEN_AI_OUTPUT_TYPE = 'gen_ai.output.type';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = 'gen_ai.response.time_to_first_chunk';
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/**
 * The conventions name the cache-write count twice: `cache_write` in the registry, `cache_creation` in the
 * Anthropic span definition (whose MUST on `input_tokens` we follow). We use the span definition's name.
 */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = 'gen_ai.embeddings.dimension.count';
export const ATTR_GEN_AI_INPUT_MESSAGES = 'gen_ai.input.messages';
export const ATTR_GEN_AI_OUTPUT_MESSAGES = 'gen_ai.output.messages';
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = 'gen_ai.system_instructions';
export const ATTR_GEN_AI_TOOL_DEFINITIONS = 'gen_ai.tool.definitions';

export const ATTR_HTTP_REQUEST_RESEND_COUNT = 'http.request.resend_count';
export const ATTR_URL_TEMPLATE = 'url.template';

/** Finish reasons from the conventions' enum (output messages' `finish_reason`), used by every adapter. */
export const FINISH_STOP = 'stop';
export const FINISH_LENGTH = 'length';
export const FINISH_TOOL_CALL = 'tool_call';
export const FINISH_ERROR = 'error';

export const OPERATION_CHAT = 'chat';
export const OPERATION_EMBEDDINGS = 'embeddings';

/** Ours: how many HTTP attempts (retries included) one model call took. */
export const ATTR_LLM_REQUEST_ATTEMPTS = 'llm.request.attempts';
/** Ours: chunks a stream delivered to the caller. */
export const ATTR_LLM_STREAM_CHUNKS = 'llm.stream.chunk_count';
/** Ours: how a stream ended: `completed`, `aborted` (break, abort()), `error`, or `abandoned` (never consumed). */
export const ATTR_LLM_STREAM_OUTCOME = 'llm.stream.outcome';
/** Ours: the request's cost in USD, from a price table the user supplies. */
export const ATTR_LLM_USAGE_COST_USD = 'llm.usage.cost_usd';
/** Ours: span event for a response cut short by `length` or `content_filter`; not an error. */
export const EVENT_LLM_RESPONSE_TRUNCATED = 'llm.response.truncated';
