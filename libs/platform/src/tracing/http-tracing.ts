import { context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TraceIds } from '../logging/request-log.js';
import { extractTraceContext, tracer } from './tracing.js';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * One server span per HTTP request, continuing the caller's `traceparent`: started when the
 * request arrives, made the active context for the handler (so NATS requests and appended events
 * carry it on), ended with the answer's status.
 */
export function traceHttp(fastify: FastifyInstance, service: string): void {
  const httpTracer = tracer(service);
  fastify.addHook('onRequest', (request, _reply, done) => {
    const parent = extractTraceContext((name) => {
      const value = request.headers[name];
      return typeof value === 'string' ? value : undefined;
    });
    const route = request.routeOptions.url ?? 'unmatched';
    const span = httpTracer.startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER }, parent);
    // A span that records nothing (no exporter) still carries the ids; its attributes would be
    // built, checked and dropped on every request.
    if (span.isRecording())
      span.setAttributes({
        'http.request.method': request.method,
        'http.route': route,
        'url.path': request.url.split('?')[0] ?? '',
      });
    spans.set(request, span);
    done();
  });
  // The handler runs from this hook's `done`: inside the span's context.
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (!span) return done();
    const correlation = request.headers['x-correlation-id'];
    if (typeof correlation === 'string' && span.isRecording())
      span.setAttribute('netpay.correlation_id', correlation);
    context.with(trace.setSpan(context.active(), span), done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span?.isRecording()) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/** The trace and span ids of a request, for its log line; undefined when it is not traced. */
export function traceOfRequest(request: FastifyRequest): TraceIds | undefined {
  const ctx = spans.get(request)?.spanContext();
  if (!ctx || !trace.isSpanContextValid(ctx)) return undefined;
  return { traceId: ctx.traceId, spanId: ctx.spanId };
}
