/** The event-source-mapping stand-in: queued messages as a Lambda SQS event, settled from the worker's answer. */
import { systemAttributes } from './queues.ts';
import type { Queues } from './queues.ts';
import type { SqsEvent, SqsEventRecord, StoredMessage } from './types.ts';

export function receiveEvent(qs: Queues, name: string, batchSize: number): SqsEvent | undefined {
  const taken = qs.take(qs.named(name), batchSize);
  if (taken.length === 0) return undefined;
  return { Records: taken.map((m) => eventRecord(qs, name, m)) };
}

function eventRecord(qs: Queues, name: string, m: StoredMessage): SqsEventRecord {
  return {
    messageId: m.messageId,
    receiptHandle: m.receiptHandle!,
    body: m.body,
    attributes: systemAttributes(m),
    messageAttributes: Object.fromEntries(
      Object.entries(m.messageAttributes).map(([k, a]) => [
        k,
        {
          ...(a.BinaryValue !== undefined ? { binaryValue: a.BinaryValue } : { stringValue: a.StringValue ?? '' }),
          stringListValues: [],
          binaryListValues: [],
          dataType: a.DataType,
        },
      ]),
    ),
    md5OfBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { md5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs' as const,
    eventSourceARN: qs.queueArn(name),
    awsRegion: qs.region,
  };
}

export function settleEvent(qs: Queues, name: string, event: SqsEvent, outcome: { result?: unknown; failed?: boolean }): string[] {
  const q = qs.named(name);
  const failures = new Set<string>();
  const result = outcome.result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | undefined;
  if (outcome.failed) for (const r of event.Records) failures.add(r.messageId);
  else if (result && Array.isArray(result.batchItemFailures)) {
    for (const f of result.batchItemFailures) if (typeof f?.itemIdentifier === 'string') failures.add(f.itemIdentifier);
  }
  const released: string[] = [];
  for (const r of event.Records) {
    const m = q.messages.find((x) => x.receiptHandle === r.receiptHandle);
    if (!m) continue;
    if (failures.has(m.messageId)) {
      m.receiptHandle = undefined;
      released.push(m.messageId);
    } else q.messages.splice(q.messages.indexOf(m), 1);
  }
  qs.wake();
  return released;
}

export function waitForMessages(qs: Queues, name: string, count: number, timeoutMs: number): Promise<StoredMessage[]> {
  const q = qs.named(name);
  const visibleNow = () => q.messages.filter((m) => m.receiptHandle === undefined);
  return new Promise((resolve, reject) => {
    const check = () => {
      const v = visibleNow();
      if (v.length < count) return;
      clearTimeout(timer);
      qs.waiters.delete(check);
      resolve(v);
    };
    const timer = setTimeout(() => {
      qs.waiters.delete(check);
      reject(new Error(`sqs-emulator: ${visibleNow().length} visible message(s) in ${name} after ${timeoutMs} ms, wanted ${count}`));
    }, timeoutMs);
    qs.waiters.add(check);
    check();
  });
}
