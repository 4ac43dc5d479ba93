import { envDetector } from '@opentelemetry/resources';
import { afterEach, describe, expect, it } from 'vitest';
import { envResourceAttributes } from '../../src/telemetry/resource.js';

const CASES = [
  'deployment.environment.name=prod,team=ml',
  ' team = ml , ,region=eu-west-1,',
  'team=ml%2Cai,note=a%3Db%20c',
  'team=ml,broken',
  'team=ml,a=b=c',
  '=value,team=ml',
  'team=%E0%A4%A',
  `team=${'x'.repeat(255)}`,
  `team=${'x'.repeat(256)}`,
  `${'k'.repeat(256)}=v`,
  'empty=',
  '   ',
];

describe('OTEL_RESOURCE_ATTRIBUTES', () => {
  afterEach(() => {
    delete process.env.OTEL_RESOURCE_ATTRIBUTES;
  });

  it.each(CASES)('%j reads as the SDK env detector reads it', (raw) => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = raw;
    expect(envResourceAttributes()).toEqual(envDetector.detect().attributes);
  });

  it('decodes percent-encoded separators and drops the whole value on a bad entry', () => {
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'team=ml%2Cai';
    expect(envResourceAttributes()).toEqual({ team: 'ml,ai' });
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'team=ml,broken';
    expect(envResourceAttributes()).toEqual({});
  });
});
