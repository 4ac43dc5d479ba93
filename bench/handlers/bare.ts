// No tracing: the baseline. Also the handler of both peers, which instrument it from the outside.
import { answer, newClient, type BenchEvent } from './chat.ts';

const client = newClient();

export const handler = async (event: BenchEvent) => answer(client, event);
