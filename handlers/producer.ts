/**
 * POST /jobs {"question": "..."} → enqueues a job on SQS for the worker, with the trace context in the message
 * attributes (`withSqsTraceContext`), so the worker's spans join this request's trace. Answers 202 with the job id.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { SpanKind } from '@opentelemetry/api';
import { traceStep, withLlmTracing, withSqsTraceContext } from '../src/index.js';
import { badRequest, json, questionOf, type HttpApiEvent, type HttpResult } from './http.js';

// The Lambda runtime ships @aws-sdk/*; the bundle leaves it out. Locally AWS_ENDPOINT_URL_SQS points the SDK at
// tools/sqs-emulator/.
const sqs = new SQSClient({});
const QUEUE_URL = process.env.QUEUE_URL ?? '';
const QUEUE_NAME = QUEUE_URL.replace(/\/+$/, '').split('/').pop() || 'queue';

export interface Job {
  jobId: string;
  question: string;
  submittedAt: string;
}

export const handler = withLlmTracing(async (event: HttpApiEvent): Promise<HttpResult> => {
  const question = questionOf(event);
  if (question === undefined) return badRequest();
  if (!QUEUE_URL) return json(500, { error: 'QUEUE_URL is not set' });
  const job: Job = { jobId: randomUUID(), question, submittedAt: new Date().toISOString() };
  // A PRODUCER span for the send: the context injected into the message is this span's, so the worker's
  // invocation span becomes its child.
  const sent = await traceStep(
    `send ${QUEUE_NAME}`,
    async (span) => {
      const out = await sqs.send(new SendMessageCommand(withSqsTraceContext({ QueueUrl: QUEUE_URL, MessageBody: JSON.stringify(job) })));
      if (out.MessageId) span.setAttribute('messaging.message.id', out.MessageId);
      return out;
    },
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'aws_sqs',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'SendMessage',
        'messaging.destination.name': QUEUE_NAME,
        'app.job.id': job.jobId,
      },
    },
  );
  return json(202, { jobId: job.jobId, messageId: sent.MessageId });
});
