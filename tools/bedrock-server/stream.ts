/**
 * Writes a list of events as one event-stream response, applying the stream faults: a slow first event, a
 * reset or an exception after N events, or a clean end that leaves out the final events.
 */
import { endStream, isGone, kill, openEventStream, writeEvent, writeException, type Exchange } from './wire.ts';
import type { Fault, Json } from './types.ts';

export interface StreamEvent {
  type: string;
  payload: Json;
}

/** Unref'd: a pending delay must not keep a process alive after close(). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * `finalEvents` is how many trailing events carry the ending (stop reason, usage): `truncatedStream` leaves
 * them out.
 */
export async function sendEvents(
  ex: Exchange,
  events: StreamEvent[],
  finalEvents: number,
  fault: Fault | undefined,
  delayMs: number,
  headers: Record<string, string> = {},
): Promise<void> {
  openEventStream(ex, headers);
  const kept = fault?.kind === 'truncatedStream' ? events.slice(0, Math.max(0, events.length - finalEvents)) : events;
  for (let i = 0; i < kept.length; i++) {
    if (fault?.kind === 'midStreamReset' && i === fault.afterEvents) return kill(ex, fault.how ?? 'rst');
    if (fault?.kind === 'midStreamException' && i === fault.afterEvents) {
      writeException(ex, fault.type, fault.message ?? 'The model stream failed.');
      return endStream(ex);
    }
    await sleep(i === 0 && fault?.kind === 'slowFirstChunk' ? fault.ms : delayMs);
    if (isGone(ex)) return;
    const event = kept[i]!;
    writeEvent(ex, event.type, event.payload);
  }
  if (fault?.kind === 'midStreamReset') return kill(ex, fault.how ?? 'rst');
  endStream(ex);
}

/** InvokeModelWithResponseStream wraps each model chunk as `chunk` → `{ bytes: base64(JSON) }`. */
export function chunkEvent(body: Json): StreamEvent {
  return { type: 'chunk', payload: { bytes: Buffer.from(JSON.stringify(body)).toString('base64') } };
}
