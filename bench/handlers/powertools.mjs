// Peer (c): the same handler with Powertools for AWS Lambda's Tracer, set up as its README shows (middy
// middleware). The Tracer traces `fetch` (the OpenAI SDK's transport) on its own; plain JS, because the package
// lives in bench/peers/powertools, outside the tree the type check sees.
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { answer, newClient } from './chat.ts';

const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME });
const client = newClient();

const lambdaHandler = async (event) => answer(client, event);

export const handler = middy(lambdaHandler).use(captureLambdaHandler(tracer));
