/**
 * SQS worker: for each job, in a span tied to its producer (`traceRecord`), embeds the question, retrieves the
 * closest of a few fixed documents (an in-memory cosine search, as a `traceStep`), and answers with a chat
 * completion grounded on them. Failed records are reported in `batchItemFailures` (the event source mapping has
 * ReportBatchItemFailures), so only they are retried.
 */
import OpenAI from 'openai';
import { traceOpenAI, traceRecord, traceStep, withLlmTracing } from '../src/index.js';
import { CHAT_MODEL, EMBEDDING_MODEL } from './http.js';

const openai = traceOpenAI(new OpenAI({ maxRetries: 2, timeout: 20_000 }));
const DIMENSIONS = 256;
const TOP_K = 2;

interface SqsRecord {
  messageId: string;
  body: string;
  messageAttributes?: Record<string, unknown>;
}

interface SqsEvent {
  Records?: SqsRecord[];
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

const DOCUMENTS = [
  { id: 'flush', text: 'Spans are exported before the handler returns, within a flush budget, because Lambda freezes the sandbox right after the response.' },
  { id: 'coldstart', text: 'faas.coldstart is true only on the first invocation of an on-demand sandbox; the tracer provider is created then.' },
  { id: 'timeouts', text: 'When an invocation is about to time out, its span is ended with error.type=timeout and exported before Lambda kills it.' },
  { id: 'retries', text: 'Every HTTP attempt of an OpenAI call is its own span, so a 429 followed by a success shows two attempts.' },
  { id: 'queues', text: 'A producer puts the trace context in SQS message attributes; the worker reads it and joins the same trace.' },
];

interface IndexedDocument {
  id: string;
  text: string;
  vector: number[];
}

// Document vectors are computed once per sandbox, on the first retrieval, and reused while it stays warm.
let index: Promise<IndexedDocument[]> | undefined;
function documentIndex(): Promise<IndexedDocument[]> {
  index ??= openai.embeddings
    .create({ model: EMBEDDING_MODEL, input: DOCUMENTS.map((d) => d.text), dimensions: DIMENSIONS })
    .then((r) => DOCUMENTS.map((d, i) => ({ ...d, vector: r.data[i]?.embedding ?? [] })))
    .catch((error: unknown) => {
      index = undefined;
      throw error;
    });
  return index;
}

export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function parseJob(body: string): { jobId: string; question: string } {
  const job = JSON.parse(body) as { jobId?: unknown; question?: unknown };
  if (typeof job.jobId !== 'string' || typeof job.question !== 'string' || !job.question.trim()) {
    throw new Error('not a job: expected {"jobId": string, "question": string}');
  }
  return { jobId: job.jobId, question: job.question };
}

async function processJob(record: SqsRecord): Promise<void> {
  await traceRecord(record, async (span) => {
    const job = parseJob(record.body);
    span.setAttribute('app.job.id', job.jobId);

    const embedding = await openai.embeddings.create({ model: EMBEDDING_MODEL, input: job.question, dimensions: DIMENSIONS });
    const query = embedding.data[0]?.embedding ?? [];

    const hits = await traceStep('retrieve documents', async (step) => {
      const docs = await documentIndex();
      const ranked = docs
        .map((d) => ({ id: d.id, text: d.text, score: cosine(query, d.vector) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, TOP_K);
      step.setAttributes({
        'app.retrieval.documents': docs.length,
        'app.retrieval.document_ids': ranked.map((h) => h.id),
        'app.retrieval.top_score': ranked[0]?.score ?? 0,
      });
      return ranked;
    });

    const completion = await openai.chat.completions.create({
      model: CHAT_MODEL,
      messages: [
        { role: 'system', content: `Answer from these notes only:\n${hits.map((h) => `- ${h.text}`).join('\n')}` },
        { role: 'user', content: job.question },
      ],
      max_completion_tokens: 300,
    });
    // A real worker would store the answer; the example logs it.
    console.log(JSON.stringify({ jobId: job.jobId, documents: hits.map((h) => h.id), answer: completion.choices[0]?.message.content ?? '' }));
  });
}

export const handler = withLlmTracing(async (event: SqsEvent): Promise<BatchResult> => {
  const batchItemFailures: BatchResult['batchItemFailures'] = [];
  for (const record of event?.Records ?? []) {
    try {
      await processJob(record);
    } catch (error) {
      console.error(`job ${record.messageId} failed:`, error instanceof Error ? error.message : String(error));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
});
