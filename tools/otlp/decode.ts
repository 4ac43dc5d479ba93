/**
 * Decodes OTLP trace export requests, in either encoding, into one flat span shape that tests
 * can assert on without knowing which encoding the exporter used.
 *
 * The protobuf side is a hand-rolled wire-format reader instead of protobufjs + the official
 * .proto files because those files live in ../shared, which users' clones do not have; the
 * handful of messages a trace export needs fit on a page. test/otlp-schema.test.ts checks this
 * reader against the official schema wherever ../shared is present.
 */
import { decodeJsonTraces } from './json.ts';
import { decodeProtobufTraces } from './protobuf.ts';
import { OtlpDecodeError } from './types.ts';
import type { ReceivedSpan } from './types.ts';

/** 'json' | 'protobuf' for the two OTLP/HTTP content types, undefined otherwise. */
export function otlpEncodingOf(contentType: string | undefined): 'json' | 'protobuf' | undefined {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json') return 'json';
  if (mime === 'application/x-protobuf' || mime === 'application/protobuf') return 'protobuf';
  return undefined;
}

/** Decodes an (already decompressed) ExportTraceServiceRequest body. Throws OtlpDecodeError. */
export function decodeTraceRequest(body: Uint8Array, contentType: string): ReceivedSpan[] {
  const encoding = otlpEncodingOf(contentType);
  if (encoding === 'json') return decodeJsonTraces(body);
  if (encoding === 'protobuf') return decodeProtobufTraces(body);
  throw new OtlpDecodeError(`unsupported content type ${JSON.stringify(contentType)}`);
}
