import type { LoggerService, LogLevel } from '@nestjs/common';
import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/clock.js';

export type LogFormat = 'json' | 'pretty';

export interface JsonLoggerOptions {
  /** Service name on every line (`broker`, `vendor-v1`). */
  service: string;
  format?: LogFormat;
  /** The least severe level written; `log` when omitted. */
  level?: LogLevel;
  /** Where lines go; stdout when omitted (one line per entry, for log shippers). */
  write?: (line: string) => void;
  clock?: Clock;
}

const SEVERITY: Record<LogLevel, number> = { fatal: 0, error: 1, warn: 2, log: 3, debug: 4, verbose: 5 };
const STACK = /^.*\n\s+at .+/s;

/** Nest `LoggerService` writing one JSON object per line; plain text with `format: 'pretty'`. */
export class JsonLogger implements LoggerService {
  private enabled: Set<LogLevel>;
  private readonly write: (line: string) => void;
  private readonly clock: Clock;

  constructor(private readonly options: JsonLoggerOptions) {
    this.enabled = levelsFrom(options.level ?? 'log');
    this.write = options.write ?? ((line) => void process.stdout.write(line + '\n'));
    this.clock = options.clock ?? new SystemClock();
  }

  /** `LOG_LEVEL` (fatal…verbose) and `LOG_FORMAT` (json | pretty) from the environment. */
  static fromEnv(
    service: string,
    env: Readonly<Record<string, string | undefined>> = process.env,
    overrides: Partial<JsonLoggerOptions> = {},
  ): JsonLogger {
    const level = env.LOG_LEVEL && env.LOG_LEVEL in SEVERITY ? (env.LOG_LEVEL as LogLevel) : 'log';
    const format = env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json';
    return new JsonLogger({ service, level, format, ...overrides });
  }

  log(message: unknown, ...params: unknown[]): void {
    this.entry('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.entry('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.entry('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.entry('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.entry('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.entry('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
  }

  private entry(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const { context, stack } = contextAndStack(level, params);
    const text = message instanceof Error ? message.message : message;
    const trace = stack ?? (message instanceof Error ? message.stack : undefined);
    const time = this.clock.now().toISOString();
    const service = this.options.service;
    if (this.options.format === 'pretty') {
      const body = typeof text === 'string' ? text : JSON.stringify(text);
      const where = context ? ` ${context}:` : '';
      this.write(
        `${time} ${level.toUpperCase().padEnd(7)} [${service}]${where} ${body}${trace ? '\n' + trace : ''}`,
      );
      return;
    }
    const line = { time, level, service, context, message: text, ...(trace ? { stack: trace } : {}) };
    this.write(safeStringify(line));
  }
}

/** Nest passes `(message, context)` or, for errors, `(message, stack, context)`. */
function contextAndStack(level: LogLevel, params: unknown[]): { context?: string; stack?: string } {
  const rest = [...params];
  let context: string | undefined;
  let stack: string | undefined;
  const last = rest.at(-1);
  const lastIsStack = typeof last === 'string' && STACK.test(last);
  if (typeof last === 'string' && !(lastIsStack && rest.length === 1)) {
    context = last;
    rest.pop();
  }
  const first = rest[0];
  if ((level === 'error' || level === 'fatal') && typeof first === 'string') stack = first;
  return { context, stack };
}

function levelsFrom(least: LogLevel): Set<LogLevel> {
  return new Set((Object.keys(SEVERITY) as LogLevel[]).filter((l) => SEVERITY[l] <= SEVERITY[least]));
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return JSON.stringify({ ...(value as object), message: '[unserialisable message]' });
  }
}
