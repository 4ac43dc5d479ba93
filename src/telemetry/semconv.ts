/**
 * Attribute names from the OpenTelemetry semantic conventions (FaaS, cloud, HTTP, messaging, exceptions), written
 * out here so the bundle carries only the strings we use. GenAI names live in `semconv-genai.ts`, pinned to one
 * release there. Names of our own carry the `llm.` prefix and are documented in the README.
 */
export const ATTR_CLOUD_PROVIDER = 'cloud.provider';
export const ATTR_CLOUD_PLATFORM = 'cloud.platform';
export const ATTR_CLOUD_REGION = 'cloud.region';
export const ATTR_CLOUD_ACCOUNT_ID = 'cloud.account.id';
export const ATTR_CLOUD_RESOURCE_ID = 'cloud.resource_id';

export const ATTR_SERVICE_NAME = 'service.name';
export const ATTR_FAAS_NAME = 'faas.name';
export const ATTR_FAAS_VERSION = 'faas.version';
export const ATTR_FAAS_INSTANCE = 'faas.instance';
export const ATTR_FAAS_MAX_MEMORY = 'faas.max_memory';
export const ATTR_FAAS_TRIGGER = 'faas.trigger';
export const ATTR_FAAS_COLDSTART = 'faas.coldstart';
/** The registry's current name for the invocation id ... */
export const ATTR_FAAS_INVOCATION_ID = 'faas.invocation.id';
/** ... and the name FaaS spans used before the rename, which Lambda-oriented backends still query. Both are set. */
export const ATTR_FAAS_INVOCATION_ID_LEGACY = 'faas.invocation_id';
export const ATTR_FAAS_DOCUMENT_COLLECTION = 'faas.document.collection';
export const ATTR_FAAS_DOCUMENT_OPERATION = 'faas.document.operation';
export const ATTR_FAAS_DOCUMENT_NAME = 'faas.document.name';
export const ATTR_FAAS_DOCUMENT_TIME = 'faas.document.time';

export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ATTR_ERROR_TYPE = 'error.type';

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';

export const FAAS_TRIGGER_HTTP = 'http';
export const FAAS_TRIGGER_PUBSUB = 'pubsub';
export const FAAS_TRIGGER_DATASOURCE = 'datasource';
export const FAAS_TRIGGER_TIMER = 'timer';
export const FAAS_TRIGGER_OTHER = 'other';

export const MESSAGING_SYSTEM_SQS = 'aws_sqs';
export const MESSAGING_SYSTEM_SNS = 'aws.sns';
/** No registered value exists for EventBridge; this is the one AWS's own distribution uses. */
export const MESSAGING_SYSTEM_EVENTBRIDGE = 'aws.eventbridge';
export const MESSAGING_SYSTEM_KAFKA = 'kafka';
export const MESSAGING_SYSTEM_ACTIVEMQ = 'activemq';
export const MESSAGING_SYSTEM_RABBITMQ = 'rabbitmq';

/**
 * Ours. Where a link came from: `aws.xray` (Lambda's trace header), `message` (a producer's context) or
 * `message.aws.xray` (the X-Ray header an SQS message carries in `attributes.AWSTraceHeader`).
 */
export const ATTR_LLM_LINK_SOURCE = 'llm.link.source';
/** Ours. Set on an invocation span that was ended by the timeout salvage before the handler settled. */
export const ATTR_LLM_TIMEOUT_SALVAGED = 'llm.lambda.timeout_salvaged';
/** Ours. When the invocation's spans were exported: `after-response` (by our extension) or `before-response`. */
export const ATTR_LLM_EXPORT_MODE = 'llm.export.mode';
/** Ours. Response streaming: seconds from the invocation's start to the first byte written, and bytes written. */
export const ATTR_LLM_RESPONSE_TIME_TO_FIRST_BYTE = 'llm.response.time_to_first_byte';
export const ATTR_LLM_RESPONSE_BYTES = 'llm.response.bytes';
