/**
 * traceBedrock and the SDK's own retries and errors: one attempt span per HTTP request under one model span
 * (the SDK's standard retry strategy, not ours), a low-cardinality error.type from the error's name, fault and
 * status, and the caller gets the SDK's own error object. Token-limit stops and guardrail interventions are
 * events, not errors.
 */
import { ConverseCommand, ServiceUnavailableException, ThrottlingException } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it } from 'vitest';
import { FAULTS } from '../../tools/bedrock-server/index.ts';
import { MESSAGES, invoke, onlyModel, traced, useBedrockEnv, type Env } from '../support/bedrock.js';

let env: Env;
useBedrockEnv((e) => (env = e));

const REQUEST = { modelId: 'amazon.nova-lite-v1:0', messages: MESSAGES };

describe('retries', () => {
  it('shows a throttle-then-success as two attempt spans under one successful model span', async () => {
    env.server.script(FAULTS.throttle);
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand(REQUEST)));
    expect(inv.error).toBeUndefined();
    expect(inv.result!.$metadata.attempts).toBe(2);
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['llm.request.attempts']).toBe(2);
    const [first, second] = inv.attempts(span);
    expect(inv.attempts(span)).toHaveLength(2);
    expect(first!.attributes).toMatchObject({ 'http.response.status_code': 429, 'error.type': 'throttling' });
    expect(first!.status.code).toBe('ERROR');
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(second!.attributes).toMatchObject({ 'http.response.status_code': 200, 'http.request.resend_count': 1 });
    expect(second!.status.code).toBe('UNSET');
    expect(first!.attributes['aws.request_id']).not.toBe(second!.attributes['aws.request_id']);
  });

  it('fails after the SDK’s last attempt with the SDK’s own error, every attempt shown', async () => {
    env.server.always(FAULTS.unavailable);
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand(REQUEST)));
    expect(inv.error).toBeInstanceOf(ServiceUnavailableException);
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes).toMatchObject({ 'error.type': '503', 'llm.request.attempts': 3 });
    expect(span.events.map((e) => e.name)).toContain('exception');
    expect(inv.attempts(span).map((a) => a.attributes['http.response.status_code'])).toEqual([503, 503, 503]);
    expect(inv.attempts(span).map((a) => a.attributes['http.request.resend_count'])).toEqual([undefined, 1, 2]);
  });

  it('names a throttle the SDK gave up on as throttling', async () => {
    env.server.always(FAULTS.throttle);
    const client = traced(env, {}, { maxAttempts: 2 });
    const inv = await invoke(env, () => client.send(new ConverseCommand(REQUEST)));
    expect(inv.error).toBeInstanceOf(ThrottlingException);
    expect(onlyModel(inv).attributes).toMatchObject({ 'error.type': 'throttling', 'llm.request.attempts': 2 });
  });
});

describe('errors', () => {
  it.each([
    ['validation', FAULTS.validation],
    ['access_denied', FAULTS.accessDenied],
    ['not_found', FAULTS.notFound],
  ])('records %s from the error name, not retried', async (type, fault) => {
    env.server.script(fault);
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand(REQUEST)));
    expect((inv.error as Error).name).toBe(fault.type);
    const span = onlyModel(inv);
    expect(span.status.code).toBe('ERROR');
    expect(span.attributes).toMatchObject({ 'error.type': type, 'llm.request.attempts': 1 });
    const [attempt] = inv.attempts(span);
    expect(attempt!.attributes).toMatchObject({ 'http.response.status_code': fault.status, 'error.type': type });
  });

  it('records model_not_ready', async () => {
    env.server.always(FAULTS.modelNotReady);
    const inv = await invoke(env, () => traced(env, {}, { maxAttempts: 1 }).send(new ConverseCommand(REQUEST)));
    expect(onlyModel(inv).attributes['error.type']).toBe('model_not_ready');
  });

  it('records a connection dropped before any response as connection_error on each attempt', async () => {
    env.server.always({ kind: 'reset' });
    const inv = await invoke(env, () => traced(env, {}, { maxAttempts: 2 }).send(new ConverseCommand(REQUEST)));
    expect(inv.error).toBeInstanceOf(Error);
    const span = onlyModel(inv);
    expect(span.attributes['error.type']).toBe('connection_error');
    const attempts = inv.attempts(span);
    expect(attempts).toHaveLength(2);
    expect(attempts.map((a) => a.attributes['error.type'])).toEqual(['connection_error', 'connection_error']);
    expect(attempts[0]!.attributes['http.response.status_code']).toBeUndefined();
  });

  it('records a request timeout as timeout', async () => {
    env.server.always({ kind: 'delay', ms: 1500 });
    const client = traced(env, {}, { maxAttempts: 1, requestHandler: { requestTimeout: 200 } });
    const inv = await invoke(env, () => client.send(new ConverseCommand(REQUEST)));
    expect(inv.error).toBeInstanceOf(Error);
    expect(onlyModel(inv).attributes['error.type']).toBe('timeout');
  });
});

describe('stops that are not errors', () => {
  it('records a token-limit stop as a truncation event', async () => {
    env.server.script({ kind: 'maxTokens' });
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand(REQUEST)));
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['max_tokens']);
    expect(span.events.map((e) => e.name)).toContain('llm.response.truncated');
  });

  it('records the guardrail configured, and its intervention as finish reason and event', async () => {
    env.server.script({ kind: 'guardrailIntervened' });
    const guardrailConfig = { guardrailIdentifier: 'gr-harbour', guardrailVersion: '3', trace: 'enabled' as const };
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand({ ...REQUEST, guardrailConfig })));
    const span = onlyModel(inv);
    expect(span.status.code).toBe('UNSET');
    expect(span.attributes).toMatchObject({
      'aws.bedrock.guardrail.id': 'gr-harbour',
      'llm.bedrock.guardrail.version': '3',
      'gen_ai.response.finish_reasons': ['guardrail_intervened'],
    });
    const event = span.events.find((e) => e.name === 'gen_ai.guardrail.result');
    expect(event?.attributes).toMatchObject({
      'gen_ai.guardrail.policy.id': 'gr-harbour',
      'gen_ai.guardrail.result.type': 'stopReason',
      'gen_ai.guardrail.result.value': 'guardrail_intervened',
    });
  });

  it('records a guardrail that did not intervene, with no event', async () => {
    const guardrailConfig = { guardrailIdentifier: 'gr-harbour', guardrailVersion: '3' };
    const inv = await invoke(env, () => traced(env).send(new ConverseCommand({ ...REQUEST, guardrailConfig })));
    const span = onlyModel(inv);
    expect(span.attributes['aws.bedrock.guardrail.id']).toBe('gr-harbour');
    expect(span.events.map((e) => e.name)).not.toContain('gen_ai.guardrail.result');
  });
});
