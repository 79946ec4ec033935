import type { LoggerService, LogLevel } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { Clock } from '../clock/clock.js';
import { ConfigError } from '../config/config-error.js';
import { Redactor } from './redaction.js';

export type LogFormat = 'json' | 'pretty';

export interface NetPayLoggerOptions {
  /** Service name on every line (`broker`, `vendor-v1`). */
  service: string;
  /** `json` (one object per line, for log shippers) or `pretty` (pino-pretty, for people). */
  format?: LogFormat;
  /** The least severe level written; `log` when omitted. */
  level?: LogLevel;
  /** Where lines go (one call per line, without the newline); stdout when omitted. */
  write?: (line: string) => void;
  /** Time of each line; the system clock when omitted (tests pin it). */
  clock?: Clock;
  /** Values never written (configured tokens, keys); see also the built-in patterns in `Redactor`. */
  secrets?: readonly string[];
}

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const FROM_PINO: Record<string, LogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  trace: 'verbose',
};
const STACK = /^.*\n\s+at .+/s;
/** Longest a JSON line to stdout waits in the buffer. */
const FLUSH_EVERY_MS = 100;

/**
 * Nest `LoggerService` over pino: one JSON object per line (`time`, `level` in Nest's words,
 * `service`, `context`, `message`, `traceId` and `spanId` inside a span, and the fields of
 * structured entries such as the request log), or pino-pretty text for people. Secrets are redacted before a line is written: fields
 * by name (`authorization`, `token`, `privateKey`, … at any depth up to two levels), values by
 * pattern (bearer tokens, checkout tokens, PEM keys) and the configured secret values anywhere.
 */
export class NetPayLogger implements LoggerService {
  /** The pino logger behind this one, for structured entries (`logger.pino.info({...}, 'msg')`). */
  readonly pino: Logger;
  readonly redactor: Redactor;
  /** The asynchronous stdout stream of JSON lines, when that is where lines go. */
  private stdout: ReturnType<typeof pino.destination> | undefined;

  constructor(options: NetPayLoggerOptions) {
    const redactor = (this.redactor = new Redactor(options.secrets));
    const clock = options.clock;
    const isPretty = options.format === 'pretty';
    const out = options.write ?? ((line: string) => void process.stdout.write(line + '\n'));
    const destination: DestinationStream = isPretty
      ? prettySink(out, options.write === undefined && process.stdout.isTTY === true)
      : options.write
        ? lineSink(options.write)
        : // Asynchronous and in chunks: a synchronous write per line blocks the event loop on
          // every line, and sleeps while the pipe behind stdout is full (a busy log reader): at a
          // few thousand requests per second, one access line each, that was a fifth of a
          // vendor's CPU. Lines go out once 4 KiB have gathered, or within FLUSH_EVERY_MS; what
          // is still buffered is written synchronously when the process exits (pino registers
          // that) or on `flush()`.
          (this.stdout = pino.destination({ dest: 1, sync: false, minLength: 4096 }));
    if (this.stdout) {
      const stdout = this.stdout;
      setInterval(() => {
        try {
          stdout.flush();
        } catch {
          // not open yet: the next tick writes
        }
      }, FLUSH_EVERY_MS).unref();
    }
    this.pino = pino(
      {
        level: TO_PINO[options.level ?? 'log'],
        base: { service: options.service },
        messageKey: 'message',
        errorKey: 'err',
        timestamp: clock ? () => `,"time":"${clock.now().toISOString()}"` : pino.stdTimeFunctions.isoTime,
        // The trace of whatever is running (a request, a hand-off served, a night): every line
        // written inside a span names it, so a log line leads to its trace and back. An entry's
        // own ids win (the request line names the request's span).
        mixin: traceIdsOfActiveSpan,
        // JSON lines keep Nest's level names (`log`, not `info`); pretty output wants pino's numbers.
        formatters: {
          ...(isPretty ? {} : { level: (label: string) => ({ level: FROM_PINO[label] ?? label }) }),
          log: (entry: Record<string, unknown>) => redactor.fields(entry),
        },
        hooks: {
          // Strings in the message itself (`Bearer …` in an error text) are scrubbed too.
          logMethod(args, method) {
            const [first, ...rest] = args as unknown[];
            const scrub = (v: unknown): unknown => (typeof v === 'string' ? redactor.text(v) : v);
            method.apply(this, [scrub(first), ...rest.map(scrub)] as Parameters<typeof method>);
          },
        },
      },
      destination,
    );
  }

  /**
   * `LOG_LEVEL` (fatal…verbose) and `LOG_FORMAT` (json | pretty; unset: pretty on a terminal,
   * json otherwise) from the environment. A value outside those lists stops the start-up with a
   * `ConfigError` naming the variable, instead of silently logging at another level.
   */
  static fromEnv(
    service: string,
    env: Readonly<Record<string, string | undefined>> = process.env,
    overrides: Partial<NetPayLoggerOptions> = {},
  ): NetPayLogger {
    const problems = [];
    const level = env.LOG_LEVEL || 'log';
    if (!(LOG_LEVELS as readonly string[]).includes(level))
      problems.push({
        variable: 'LOG_LEVEL',
        message: `must be one of ${LOG_LEVELS.join(', ')} (got ${JSON.stringify(level)})`,
      });
    const format = env.LOG_FORMAT || (process.stdout.isTTY ? 'pretty' : 'json');
    if (format !== 'json' && format !== 'pretty')
      problems.push({
        variable: 'LOG_FORMAT',
        message: `must be json or pretty (got ${JSON.stringify(format)})`,
      });
    if (problems.length) throw new ConfigError('logging', problems);
    return new NetPayLogger({ service, level: level as LogLevel, format: format as LogFormat, ...overrides });
  }

  /** Writes the lines still buffered now (before a process ends by a signal, which skips `exit`). */
  flush(): void {
    try {
      this.stdout?.flushSync();
    } catch {
      // not open yet, or stdout is gone: nothing to write to
    }
  }

  /** Adds values (tokens, keys read from the configuration) that must never be written. */
  addSecrets(values: Iterable<string | undefined>): void {
    this.redactor.addSecrets(values);
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

  /** Nest passes the enabled levels; pino wants the least severe one. */
  setLogLevels(levels: LogLevel[]): void {
    const least = LOG_LEVELS.filter((l) => levels.includes(l)).at(-1);
    this.pino.level = least ? TO_PINO[least] : 'silent';
  }

  private entry(level: LogLevel, message: unknown, params: unknown[]): void {
    const pinoLevel = TO_PINO[level];
    if (!this.pino.isLevelEnabled(pinoLevel)) return;
    const { context, stack } = contextAndStack(level, params);
    const text = message instanceof Error ? message.message : message;
    const trace = stack ?? (message instanceof Error ? message.stack : undefined);
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (trace) fields.stack = trace;
    if (typeof text === 'string') this.pino[pinoLevel](fields, text);
    else this.pino[pinoLevel]({ ...fields, message: this.redactor.value(text) });
  }
}

/**
 * `traceId` and `spanId` of the active span (when tracing is set up and a span is active). A new
 * object each time: pino merges the entry's fields into it.
 */
function traceIdsOfActiveSpan(): Record<string, string> {
  const ids = trace.getActiveSpan()?.spanContext();
  return ids && isSpanContextValid(ids) ? { traceId: ids.traceId, spanId: ids.spanId } : {};
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

/** A pino destination handing each line, without its newline, to `write`. */
function lineSink(write: (line: string) => void): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) write(line);
    },
  };
}

/** pino-pretty's formatter, run in this thread (no worker transport) so lines stay in order. */
function prettySink(write: (line: string) => void, colorize: boolean): DestinationStream {
  const prettify = prettyFactory({
    colorize,
    messageKey: 'message',
    translateTime: 'UTC:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,service,context',
    messageFormat: '[{service}] {if context}{context}: {end}{message}',
    // A stack as the lines it is (pino-pretty indents them under its key), not one JSON string.
    customPrettifiers: {
      stack: (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value)),
    },
  });
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) write(prettify(line).replace(/\n$/, ''));
    },
  };
}
