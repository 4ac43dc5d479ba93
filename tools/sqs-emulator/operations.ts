/** The SQS API operations the emulator answers (AWS JSON 1.0 input and output shapes). */
import { systemAttributes } from './queues.ts';
import type { Queues } from './queues.ts';
import { SqsError } from './types.ts';
import type { StoredMessage } from './types.ts';

type Input = Record<string, unknown>;

export const OPERATIONS: Record<string, (qs: Queues, input: Input) => unknown> = {
  SendMessage: (qs, input) => sendResult(qs.enqueue(qs.of(input), input)),
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: (qs, input) => {
    const max = Math.min(10, Math.max(1, Number(input['MaxNumberOfMessages'] ?? 1)));
    return {
      Messages: qs.take(qs.of(input), max).map((m) => ({
        MessageId: m.messageId,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: m.md5OfBody,
        Body: m.body,
        Attributes: systemAttributes(m),
        ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes, MessageAttributes: m.messageAttributes } : {}),
      })),
    };
  },
  DeleteMessage: (qs, input) => {
    qs.deleteByHandle(qs.of(input), input['ReceiptHandle']);
    return {};
  },
  DeleteMessageBatch: deleteMessageBatch,
  GetQueueUrl: (qs, input) => {
    const name = String(input['QueueName'] ?? '');
    if (!qs.byName.has(name)) throw new SqsError('QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.');
    return { QueueUrl: qs.queueUrl(name) };
  },
  CreateQueue: (qs, input) => ({ QueueUrl: qs.create(String(input['QueueName'] ?? '')) }),
  ListQueues: (qs, input) => {
    const prefix = typeof input['QueueNamePrefix'] === 'string' ? input['QueueNamePrefix'] : '';
    return { QueueUrls: [...qs.byName.keys()].filter((n) => n.startsWith(prefix)).map((n) => qs.queueUrl(n)) };
  },
  PurgeQueue: (qs, input) => {
    qs.of(input).messages.length = 0;
    return {};
  },
};

function sendResult(m: StoredMessage) {
  return {
    MessageId: m.messageId,
    MD5OfMessageBody: m.md5OfBody,
    ...(m.md5OfMessageAttributes ? { MD5OfMessageAttributes: m.md5OfMessageAttributes } : {}),
  };
}

function sendMessageBatch(qs: Queues, input: Input): unknown {
  const q = qs.of(input);
  const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Input[]) : [];
  if (entries.length === 0) throw new SqsError('EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
  if (entries.length > 10) throw new SqsError('TooManyEntriesInBatchRequest', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const e of entries) {
    try {
      Successful.push({ Id: e['Id'], ...sendResult(qs.enqueue(q, e)) });
    } catch (err) {
      const se = err as SqsError;
      Failed.push({ Id: e['Id'], SenderFault: true, Code: se.code ?? 'InternalError', Message: se.message });
    }
  }
  return { Successful, Failed };
}

function deleteMessageBatch(qs: Queues, input: Input): unknown {
  const q = qs.of(input);
  const entries = Array.isArray(input['Entries']) ? (input['Entries'] as Input[]) : [];
  const Successful: unknown[] = [];
  const Failed: unknown[] = [];
  for (const e of entries) {
    try {
      qs.deleteByHandle(q, e['ReceiptHandle']);
      Successful.push({ Id: e['Id'] });
    } catch (err) {
      Failed.push({ Id: e['Id'], SenderFault: true, Code: (err as SqsError).code, Message: (err as Error).message });
    }
  }
  return { Successful, Failed };
}
