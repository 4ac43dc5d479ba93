import { DiagLogLevel, diag, type DiagLogger } from '@opentelemetry/api';

type ConsoleMethod = 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Sends the API's diagnostics to the console at `OTEL_LOG_LEVEL`, as the SDK's DiagConsoleLogger and
 * diagLogLevelFromString would (the console methods taken once, verbose on console.trace, an unknown level taken
 * as INFO), without their bytes. Unlike the SDK, whose warning goes out before any logger is set, an unknown
 * level is said.
 */
export function logDiagToConsole(level: string): void {
  const known: unknown = (DiagLogLevel as unknown as Record<string, unknown>)[level.toUpperCase()];
  const to = (name: ConsoleMethod) => {
    const method = console[name];
    return (...args: unknown[]) => method.apply(console, args);
  };
  const logger: DiagLogger = { error: to('error'), warn: to('warn'), info: to('info'), debug: to('debug'), verbose: to('trace') };
  diag.setLogger(logger, { logLevel: typeof known === 'number' ? known : DiagLogLevel.INFO, suppressOverrideMessage: true });
  if (typeof known !== 'number') diag.warn(`Unknown log level "${level}", expected one of ALL,VERBOSE,DEBUG,INFO,WARN,ERROR,NONE, using default`);
}
