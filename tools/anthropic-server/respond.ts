/**
 * Sending an answer under the request's scripted fault: a JSON body (whole, late, or cut in half) or an SSE
 * sequence (slow first event, an `error` event or a reset after some events).
 */
import type { Fault } from './faults.ts';
import { errorEvent } from './faults.ts';
import type { SseEvent } from './events.ts';
import type { Exchange } from './http.ts';
import { destroySocket, end, gone, sendJson, sleep, sseFrame, startJson, startSse, write } from './http.ts';

/** What the sender needs of the server: whether it is closing, and the spacing between events. */
export interface SendContext {
  closing: () => boolean;
  eventDelayMs: number;
}

export async function respondJson(ctx: SendContext, ex: Exchange, fault: Fault | undefined, body: unknown): Promise<void> {
  if (fault?.kind === 'delay') await sleep(fault.ms);
  if (gone(ex, ctx.closing())) return;
  if (fault?.kind !== 'slowFirstChunk' && fault?.kind !== 'midStreamReset') return sendJson(ex, 200, body);
  const payload = JSON.stringify(body);
  startJson(ex);
  if (fault.kind === 'slowFirstChunk') {
    await sleep(fault.ms);
    if (!gone(ex, ctx.closing())) end(ex, payload);
    return;
  }
  await write(ex, payload.slice(0, Math.floor(payload.length / 2)));
  await sleep(ctx.eventDelayMs);
  destroySocket(ex);
}

export async function respondSse(ctx: SendContext, ex: Exchange, fault: Fault | undefined, events: SseEvent[]): Promise<void> {
  if (fault?.kind === 'delay') await sleep(fault.ms);
  if (gone(ex, ctx.closing())) return;
  startSse(ex);
  // A fault due after every event fires at the end, before the stream would close.
  const at = fault && 'afterEvents' in fault ? Math.min(fault.afterEvents, events.length) : -1;
  for (let i = 0; i <= events.length; i++) {
    if (i === at) return interrupt(ctx, ex, fault);
    if (i === events.length) break;
    if (i === 0 && fault?.kind === 'slowFirstChunk') await sleep(fault.ms);
    else if (i > 0 && ctx.eventDelayMs > 0) await sleep(ctx.eventDelayMs);
    if (gone(ex, ctx.closing())) return;
    const { event, data } = events[i]!;
    await write(ex, sseFrame(event, data));
  }
  end(ex);
}

/** Ends a stream the way its mid-stream fault says: an `error` event then a clean end, or a reset. */
async function interrupt(ctx: SendContext, ex: Exchange, fault: Fault | undefined): Promise<void> {
  if (fault?.kind === 'midStreamError') {
    await write(ex, sseFrame('error', errorEvent(fault.type, fault.message)));
    end(ex);
    return;
  }
  await sleep(ctx.eventDelayMs);
  destroySocket(ex);
}
