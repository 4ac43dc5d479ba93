/** Message attributes: validated as SQS does, and their MD5 as SQS computes it. */
import { createHash } from 'node:crypto';
import { invalid } from './types.ts';
import type { SqsAttributeValue } from './types.ts';

export const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');


/**
 * MD5OfMessageAttributes as SQS computes it: attributes sorted by name; for each, the name, the data type and the
 * value, each as a 4-byte big-endian length followed by the UTF-8 bytes, with a transport byte (1 = string,
 * 2 = binary) before the value.
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const parts: Buffer[] = [];
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    parts.push(len, b);
  };
  for (const name of names) {
    const a = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(a.DataType, 'utf8'));
    if (a.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(a.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(a.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

export function validAttributes(raw: unknown): Record<string, SqsAttributeValue> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid('MessageAttributes must be a map');
  const out: Record<string, SqsAttributeValue> = {};
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length > 10) throw invalid('Number of message attributes [' + entries.length + '] exceeds the allowed maximum [10].');
  for (const [name, v] of entries) {
    const a = v as Partial<SqsAttributeValue> | null;
    if (!a || typeof a.DataType !== 'string' || !/^(String|Number|Binary)(\..+)?$/.test(a.DataType)) {
      throw invalid(`The message attribute '${name}' has an invalid message attribute type.`);
    }
    const binary = a.DataType.startsWith('Binary');
    if (binary ? typeof a.BinaryValue !== 'string' : typeof a.StringValue !== 'string') {
      throw invalid(`The message attribute '${name}' must contain a non-empty value of type '${binary ? 'Binary' : 'String'}'.`);
    }
    out[name] = binary ? { DataType: a.DataType, BinaryValue: a.BinaryValue! } : { DataType: a.DataType, StringValue: a.StringValue! };
  }
  return out;
}
