/** OpenAI's own attribute names in the GenAI conventions (`openai.*`), and ours for its request id. */
export const PROVIDER_OPENAI = 'openai';
export const API_TYPE_CHAT_COMPLETIONS = 'chat_completions';
export const API_TYPE_RESPONSES = 'responses';

export const ATTR_OPENAI_API_TYPE = 'openai.api.type';
export const ATTR_OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
export const ATTR_OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
export const ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT = 'openai.response.system_fingerprint';

/** Ours: the request id OpenAI returns in `x-request-id`, on model and attempt spans. */
export const ATTR_LLM_OPENAI_REQUEST_ID = 'llm.openai.request_id';
