// `node tools/otlp/cli.ts [port]`: a local collector that prints each span as it arrives.
import { startOtlpReceiver } from './receiver.ts';

const port = Number(process.argv[2] ?? process.env['OTLP_RECEIVER_PORT'] ?? 4318);
const receiver = await startOtlpReceiver({ port });
receiver.onSpans = (batch) => {
  for (const s of batch) {
    const status = s.status.code === 'UNSET' ? '' : ` ${s.status.code}${s.status.message ? `: ${s.status.message}` : ''}`;
    console.log(`${s.traceId.slice(0, 8)} ${s.name} [${s.kind}] ${s.durationMs.toFixed(1)}ms${status}`);
  }
};
console.log(`otlp-receiver listening: OTEL_EXPORTER_OTLP_ENDPOINT=${receiver.url}`);
const stop = () => void receiver.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
