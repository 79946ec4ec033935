import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { NetPayLogger } from './netpay-logger.js';

export const CORRELATION_HEADER = 'x-correlation-id';
/** What a client may send as a correlation id; anything else is replaced by a fresh one. */
const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes are logged at debug, so that they do not drown the requests. */
const QUIET_ROUTES = new Set(['/metrics', '/health', '/health/live', '/health/ready', '/favicon.ico']);

export interface TraceIds {
  readonly traceId: string;
  readonly spanId: string;
}

/**
 * What happens around each request, for the ones that pass no route hook: Fastify's router answers
 * a URL that does not decode or a path parameter past its limit itself (`frameworkErrors`), and
 * `createHttpApp` calls these around that answer so it is logged and counted like any other.
 */
export interface RequestObserver {
  /** As the request arrives (before any answer is written). */
  readonly begin?: (request: FastifyRequest, reply: FastifyReply) => void;
  /** Once the answer is sent, `durationMs` after it arrived. */
  readonly end: (request: FastifyRequest, reply: FastifyReply, durationMs: number) => void;
}

export interface RequestLogOptions {
  /** The trace and span of the request, when tracing is on. */
  readonly traceOf?: (request: FastifyRequest) => TraceIds | undefined;
}

/**
 * Gives every request a correlation id (the client's `x-correlation-id` when well formed, else a
 * new one, set on the request for the handlers and echoed on the answer) and writes one line
 * per answered request: method, route pattern, path, status, duration, correlation and trace ids
 * (at `verbose`, the request headers and query too).
 */
export function logRequests(
  fastify: FastifyInstance,
  logger: NetPayLogger,
  options: RequestLogOptions = {},
): RequestObserver {
  const log = logger.pino.child({ context: 'Http' });
  const begin = (request: FastifyRequest, reply: FastifyReply): void => {
    const given = request.headers[CORRELATION_HEADER];
    const id = typeof given === 'string' && CORRELATION_ID.test(given) ? given : randomUUID();
    request.headers[CORRELATION_HEADER] = id;
    void reply.header(CORRELATION_HEADER, id);
  };
  const end = (request: FastifyRequest, reply: FastifyReply, durationMs: number): void => {
    const route = request.routeOptions.url ?? 'unmatched';
    const level = QUIET_ROUTES.has(route) ? 'debug' : reply.statusCode >= 500 ? 'warn' : 'info';
    if (!log.isLevelEnabled(level)) return;
    const trace = options.traceOf?.(request);
    log[level](
      {
        method: request.method,
        route,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        durationMs: Math.round(durationMs * 1000) / 1000,
        correlationId: request.headers[CORRELATION_HEADER],
        ...(trace ? { traceId: trace.traceId, spanId: trace.spanId } : {}),
        // LOG_LEVEL=verbose adds what a developer chasing a request wants; the redactor blanks
        // credentials in it (authorization, tokens in the query).
        ...(log.isLevelEnabled('trace') ? { headers: request.headers, query: request.query } : {}),
      },
      `${request.method} ${route} ${reply.statusCode}`,
    );
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    begin(request, reply);
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply, reply.elapsedTime);
    done();
  });
  return { begin, end };
}
