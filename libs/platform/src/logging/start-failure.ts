import { ConfigError } from '../config/config-error.js';
import { NetPayLogger } from './netpay-logger.js';

/**
 * Ends a process that could not start, saying why where its logs go. A `ConfigError` (its text
 * names every bad variable and never shows a secret value) goes to stderr as it is, for the
 * person starting the process. Anything else is one `fatal` JSON line through `logger` (built with
 * the configuration's secrets), so it passes the redaction: a client library's error may hold what
 * it was given (the EventStoreDB client's parse error carries the whole connection string,
 * password included) and `console.error` printed it, nested causes and all, on stderr. `failed`
 * words what went wrong (a one-shot command's run, not its start).
 */
export function exitOnStartFailure(
  service: string,
  error: unknown,
  logger?: NetPayLogger,
  failed = 'failed to start',
): never {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  const log = logger ?? fallbackLogger(service);
  log.fatal(`${service} ${failed}: ${describeWithCauses(error)}`, stackOf(error), 'Bootstrap');
  log.flush();
  process.exit(1);
}

function fallbackLogger(service: string): NetPayLogger {
  try {
    return NetPayLogger.fromEnv(service);
  } catch {
    return new NetPayLogger({ service, format: 'json' }); // LOG_LEVEL or LOG_FORMAT was the problem
  }
}

/** `Name: message` of the error and of each `cause` under it (the wrapper alone often hides why). */
export function describeWithCauses(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : JSON.stringify(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(' ← ');
}

function stackOf(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
