/** The local OTLP/HTTP trace receiver and its decoders (JSON and protobuf). */
export { decodeTraceRequest, otlpEncodingOf } from './decode.ts';
export { decodeJsonTraces } from './json.ts';
export { decodeProtobufTraces } from './protobuf.ts';
export { startOtlpReceiver } from './receiver.ts';
export { OtlpDecodeError } from './types.ts';
export type {
  AttrValue,
  OtlpReceiver,
  ReceivedEvent,
  ReceivedLink,
  ReceivedRequest,
  ReceivedSpan,
  ReceiverMode,
  SpanKindName,
  StatusCodeName,
} from './types.ts';
