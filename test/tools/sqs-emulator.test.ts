// tools/sqs-emulator/ against the real @aws-sdk/client-sqs (AWS JSON 1.0, MD5 checks), and its event source
// mapping stand-in (Lambda's SQS event shape, ReportBatchItemFailures).
import { DeleteMessageCommand, GetQueueUrlCommand, ReceiveMessageCommand, SQSClient, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5OfMessageAttributes, startSqsEmulator, type SqsEmulator } from '../../tools/sqs-emulator/index.ts';

let emu: SqsEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  emu = await startSqsEmulator({ queues: ['jobs'] });
  sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: emu.url,
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sqs?.destroy();
  await emu?.close();
});

describe('sqs-emulator', () => {
  it('MD5OfMessageAttributes follows the SQS algorithm (reference value from a real response)', () => {
    expect(
      md5OfMessageAttributes({
        Hello: { DataType: 'String', StringValue: 'There' },
        General: { DataType: 'String', StringValue: 'Kenobi' },
      }),
    ).toBe('fca026605781cb4126a1e9044df24232');
    expect(md5OfMessageAttributes({})).toBeUndefined();
  });

  it('speaks the protocol the SDK uses: send (body MD5 validated by the SDK), batch, receive, delete, errors', async () => {
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: emu.queueUrl('jobs'),
        MessageBody: '{"n":1}',
        MessageAttributes: { traceparent: { DataType: 'String', StringValue: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
      }),
    );
    expect(sent.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent.MD5OfMessageBody).toBe(createHash('md5').update('{"n":1}').digest('hex'));
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(emu.calls.at(-1)).toEqual({ operation: 'SendMessage', status: 200 });

    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: emu.queueUrl('jobs'),
        Entries: [
          { Id: 'a', MessageBody: 'two' },
          { Id: 'b', MessageBody: 'three' },
        ],
      }),
    );
    expect(batch.Successful?.map((s) => s.Id)).toEqual(['a', 'b']);
    expect((await sqs.send(new GetQueueUrlCommand({ QueueName: 'jobs' }))).QueueUrl).toBe(emu.queueUrl('jobs'));

    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: emu.queueUrl('jobs'), MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['{"n":1}', 'two', 'three']);
    expect(received.Messages?.[0]?.MessageAttributes?.traceparent?.StringValue).toMatch(/^00-0af7/);
    expect(emu.visible('jobs')).toHaveLength(0); // in flight
    for (const m of received.Messages ?? []) await sqs.send(new DeleteMessageCommand({ QueueUrl: emu.queueUrl('jobs'), ReceiptHandle: m.ReceiptHandle }));
    expect(emu.messages('jobs')).toHaveLength(0);

    await expect(sqs.send(new SendMessageCommand({ QueueUrl: emu.queueUrl('missing'), MessageBody: 'x' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('hands messages out as a Lambda SQS event and settles it like ReportBatchItemFailures', async () => {
    for (const body of ['ok', 'bad']) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: emu.queueUrl('jobs'), MessageBody: body, MessageAttributes: { k: { DataType: 'String', StringValue: body } } }),
      );
    }
    await emu.waitForMessages('jobs', 2, 1000);
    const event = emu.receiveEvent('jobs', 10)!;
    expect(event.Records).toHaveLength(2);
    const [ok, bad] = event.Records;
    expect(ok).toMatchObject({
      body: 'ok',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1', SenderId: '123456789012' },
      messageAttributes: { k: { stringValue: 'ok', stringListValues: [], binaryListValues: [], dataType: 'String' } },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      md5OfMessageAttributes: md5OfMessageAttributes({ k: { DataType: 'String', StringValue: 'ok' } }),
    });
    expect(emu.receiveEvent('jobs')).toBeUndefined(); // both in flight

    const retried = emu.settleEvent('jobs', event, { result: { batchItemFailures: [{ itemIdentifier: bad!.messageId }] } });
    expect(retried).toEqual([bad!.messageId]);
    expect(emu.visible('jobs').map((m) => m.body)).toEqual(['bad']);
    const again = emu.receiveEvent('jobs')!;
    expect(again.Records[0]!.attributes.ApproximateReceiveCount).toBe('2');
    // A failed invocation puts the whole batch back; a clean result deletes it.
    expect(emu.settleEvent('jobs', again, { failed: true })).toEqual([bad!.messageId]);
    emu.settleEvent('jobs', emu.receiveEvent('jobs')!, { result: { batchItemFailures: [] } });
    expect(emu.messages('jobs')).toHaveLength(0);
  });
});
