// Peer (b): what the ADOT Node.js Lambda layer runs on nodejs24.x (its otel-instrument script adds
// `--import /opt/wrapper.mjs` to NODE_OPTIONS): register import-in-the-middle's hook for the modules the SDK
// hooks, then load the distro's `register` (the layer's /opt/wrapper.js). Here /opt is this folder.
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';

const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
await waitForAllMessagesAcknowledged();
await import('./wrapper.cjs');
