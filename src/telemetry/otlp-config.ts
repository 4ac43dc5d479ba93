import { diag } from '@opentelemetry/api';
import { parseKeyPairsIntoRecord } from '@opentelemetry/core';
import { getSharedConfigurationDefaults, mergeOtlpSharedConfigurationWithDefaults } from '@opentelemetry/otlp-exporter-base';
import { env } from './config.js';
import type { ProviderOptions } from '../types.js';

/** What the OTLP/HTTP trace exporter is configured with: options first, then the OTEL_EXPORTER_OTLP_* variables. */
export interface TracesExportConfig {
  url: string;
  headers: Record<string, string>;
  timeoutMillis: number;
  concurrencyLimit: number;
  compression: 'gzip' | 'none';
  /** Root and client certificates from OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE, _CLIENT_CERTIFICATE, _CLIENT_KEY. */
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer };
}

const RESOURCE_PATH = 'v1/traces';

/**
 * Reads the exporter settings as the OTel exporter base's Node configuration does (same variables, precedence,
 * defaults and URL rules), without its module: that one imports `fs` and `path` as ES modules, whose facades
 * cost a cold start several milliseconds even when no certificate is configured.
 */
export function tracesExportConfig(options: ProviderOptions, requiredHeaders: Record<string, string>): TracesExportConfig {
  const shared = mergeOtlpSharedConfigurationWithDefaults(
    { ...(options.exportTimeoutMs ? { timeoutMillis: options.exportTimeoutMs } : {}) },
    { timeoutMillis: timeoutFromEnv(), compression: compressionFromEnv() },
    getSharedConfigurationDefaults(),
  );
  const headers = { ...headersFromEnv(), ...stringValues(options.headers), ...requiredHeaders };
  return {
    url: userUrl(options.endpoint) ?? urlFromEnv() ?? `http://localhost:4318/${RESOURCE_PATH}`,
    headers,
    timeoutMillis: shared.timeoutMillis,
    concurrencyLimit: shared.concurrencyLimit,
    compression: shared.compression,
    tls: {
      ...fileFromEnv('CERTIFICATE', 'ca', 'root certificate'),
      ...fileFromEnv('CLIENT_CERTIFICATE', 'cert', 'client certificate chain'),
      ...fileFromEnv('CLIENT_KEY', 'key', 'client certificate private key'),
    },
  };
}

function userUrl(url: string | undefined): string | undefined {
  if (url == null) return undefined;
  try {
    return new URL(url).href;
  } catch {
    throw new Error(`Configuration: Could not parse user-provided export URL: '${url}'`);
  }
}

function validUrl(url: string): string | undefined {
  try {
    return new URL(url).toString();
  } catch {
    diag.warn(`Configuration: Could not parse environment-provided export URL: '${url}', falling back to undefined`);
    return undefined;
  }
}

/** The signal's endpoint is used as given; the general one gets the signal's path appended. */
function urlFromEnv(): string | undefined {
  const specific = env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (specific !== undefined) return validUrl(specific);
  const general = env('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (general === undefined || !validUrl(general)) return undefined;
  return validUrl(`${general.endsWith('/') ? general : `${general}/`}${RESOURCE_PATH}`);
}

function headersFromEnv(): Record<string, string> {
  return { ...parseKeyPairsIntoRecord(env('OTEL_EXPORTER_OTLP_HEADERS')), ...parseKeyPairsIntoRecord(env('OTEL_EXPORTER_OTLP_TRACES_HEADERS')) };
}

function stringValues(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined && v !== null) out[k] = String(v);
  return out;
}

function timeoutFromEnv(): number | undefined {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
    const raw = env(name);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (Number.isFinite(value) && value > 0) return value;
    diag.warn(`Configuration: ${name} is invalid, expected number greater than 0 (actual: ${raw})`);
  }
  return undefined;
}

function compressionFromEnv(): 'gzip' | 'none' | undefined {
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION']) {
    const value = env(name);
    if (value === undefined) continue;
    if (value === 'none' || value === 'gzip') return value;
    diag.warn(`Configuration: ${name} is invalid, expected 'none' or 'gzip' (actual: '${value}')`);
  }
  return undefined;
}

/** A certificate file named by the signal's variable or the general one, read only when one is set. */
function fileFromEnv(suffix: string, key: 'ca' | 'cert' | 'key', what: string): Partial<Record<'ca' | 'cert' | 'key', Buffer>> {
  const file = env(`OTEL_EXPORTER_OTLP_TRACES_${suffix}`) ?? env(`OTEL_EXPORTER_OTLP_${suffix}`);
  if (file === undefined) return {};
  try {
    const fs = process.getBuiltinModule('node:fs');
    const path = process.getBuiltinModule('node:path');
    return { [key]: fs.readFileSync(path.resolve(process.cwd(), file)) };
  } catch {
    diag.warn(`Failed to read ${what} file`);
    return {};
  }
}
