import { TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { parseXRayHeader } from '../../src/lambda/xray.js';

const ROOT = 'Root=1-5759e988-bd862e3fe1be46a994272793';
const PARENT = 'Parent=53995c3f42cd8ad8';

describe('parseXRayHeader', () => {
  it('turns Root and Parent into a remote W3C span context, the dash of the trace id removed', () => {
    expect(parseXRayHeader(`${ROOT};${PARENT};Sampled=1`)).toEqual({
      traceId: '5759e988bd862e3fe1be46a994272793',
      spanId: '53995c3f42cd8ad8',
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('reads Sampled=0 and a missing Sampled as not sampled', () => {
    expect(parseXRayHeader(`${ROOT};${PARENT};Sampled=0`)?.traceFlags).toBe(TraceFlags.NONE);
    expect(parseXRayHeader(`${ROOT};${PARENT}`)?.traceFlags).toBe(TraceFlags.NONE);
  });

  it('accepts the fields in any order, with Lineage and other fields around them, and lower-cases hex', () => {
    const ctx = parseXRayHeader('Sampled=1;Lineage=a87bd80c:1|68fd508a:5;Parent=53995C3F42CD8AD8;Root=1-5759E988-BD862E3FE1BE46A994272793;Self=1-x');
    expect(ctx?.traceId).toBe('5759e988bd862e3fe1be46a994272793');
    expect(ctx?.spanId).toBe('53995c3f42cd8ad8');
    expect(ctx?.traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it('reads whole fields only: GrandParent=, NotSampled= or XRoot= are not ours; spaces around a field are', () => {
    expect(parseXRayHeader(`${ROOT};GrandParent=53995c3f42cd8ad8;Sampled=1`)).toBeUndefined();
    expect(parseXRayHeader(`X${ROOT};${PARENT}`)).toBeUndefined();
    expect(parseXRayHeader(`${ROOT};${PARENT};NotSampled=1`)?.traceFlags).toBe(TraceFlags.NONE);
    expect(parseXRayHeader(`${ROOT}; ${PARENT} ; Sampled=1`)?.traceFlags).toBe(TraceFlags.SAMPLED);
  });

  it('needs both Root and Parent', () => {
    expect(parseXRayHeader(`${ROOT};Sampled=1`)).toBeUndefined();
    expect(parseXRayHeader(`${PARENT};Sampled=1`)).toBeUndefined();
  });

  it('refuses ids of the wrong length, non-hex ids, a version other than 1 and all-zero ids', () => {
    expect(parseXRayHeader(`Root=1-5759e988-bd862e3fe1be46a99427279;${PARENT}`)).toBeUndefined();
    expect(parseXRayHeader(`Root=1-5759e988-bd862e3fe1be46a9942727930;${PARENT}`)).toBeUndefined();
    expect(parseXRayHeader(`${ROOT};Parent=53995c3f42cd8ad`)).toBeUndefined();
    expect(parseXRayHeader(`${ROOT};Parent=53995c3f42cd8ad8f`)).toBeUndefined();
    expect(parseXRayHeader(`Root=1-5759e988-bd862e3fe1be46a99427279g;${PARENT}`)).toBeUndefined();
    expect(parseXRayHeader(`Root=2-5759e988-bd862e3fe1be46a994272793;${PARENT}`)).toBeUndefined();
    expect(parseXRayHeader(`Root=1-00000000-000000000000000000000000;${PARENT}`)).toBeUndefined();
    expect(parseXRayHeader(`${ROOT};Parent=0000000000000000`)).toBeUndefined();
  });

  it('returns undefined for non-strings and headers longer than 512 characters', () => {
    for (const value of [undefined, null, 42, {}, ['Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8']]) {
      expect(parseXRayHeader(value)).toBeUndefined();
    }
    const padded = `${ROOT};${PARENT};Sampled=1;Pad=`;
    expect(parseXRayHeader(padded + 'x'.repeat(512 - padded.length))).toBeDefined();
    expect(parseXRayHeader(padded + 'x'.repeat(513 - padded.length))).toBeUndefined();
  });
});
