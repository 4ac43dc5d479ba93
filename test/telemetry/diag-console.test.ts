import { diag } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { logDiagToConsole } from '../../src/telemetry/diag-console.ts';

// The console itself is what the logger writes to: its methods are swapped for recorders before the logger takes them.
const METHODS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

describe('OTEL_LOG_LEVEL to the console', () => {
  const lines: string[] = [];
  const saved = METHODS.map((m) => console[m]);
  beforeEach(() => {
    lines.length = 0;
    for (const m of METHODS) console[m] = (...args: unknown[]) => void lines.push(`${m}: ${args.join(' ')}`);
  });
  afterEach(() => {
    diag.disable();
    METHODS.forEach((m, i) => {
      console[m] = saved[i]!;
    });
  });

  it('writes each level to its console method, down to the level named (any case)', () => {
    logDiagToConsole('Info');
    diag.error('e');
    diag.warn('w');
    diag.info('i', 42);
    diag.debug('d');
    diag.verbose('v');
    expect(lines).toEqual(['error: e', 'warn: w', 'info: i 42']);
  });

  it('verbose goes to console.trace; an unknown level is INFO, and said', () => {
    logDiagToConsole('all');
    lines.length = 0; // the API's own 'Registered a global' debug line
    diag.verbose('v');
    expect(lines).toEqual(['trace: v']);
    lines.length = 0;
    logDiagToConsole('loud');
    diag.debug('d');
    diag.info('i');
    expect(lines).toEqual([expect.stringMatching(/^warn: Unknown log level "loud"/), 'info: i']);
  });
});
