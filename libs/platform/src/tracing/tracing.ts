import {
  context,
  type Context,
  isSpanContextValid,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export { SpanKind, SpanStatusCode, type Span };

export interface TracingOptions {
  /** `service.name` of the spans (`broker`, `vendor-v1`, `redemption`). */
  readonly serviceName: string;
  readonly serviceVersion?: string;
  /** OTLP/HTTP collector base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); no export when unset. */
  readonly otlpEndpoint?: string;
  /** More processors (tests: a `SimpleSpanProcessor` over an `InMemorySpanExporter`). */
  readonly processors?: readonly SpanProcessor[];
}

export interface Tracing {
  readonly provider: TracerProvider;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;
/** Whether this process's spans are recorded (something exports or reads them). */
let recording = false;

/**
 * The sampler of a process. One that exports nothing records nothing (`AlwaysOff`): its spans
 * still get trace and span ids, which reach the log lines, the NATS headers and the events'
 * `traceparent` (flagged not sampled), but no attributes, events or timings are kept — a full
 * span per request was ~3 % of a vendor's CPU with nobody to read it. One that exports records
 * every span, continuing its parent, even a caller's that was not sampled (a process that
 * exports nothing, upstream): each process exports all of its part of a trace or none.
 */
export function samplerFor(exporting: boolean): Sampler {
  if (!exporting) return new AlwaysOffSampler();
  return new ParentBasedSampler({
    root: new AlwaysOnSampler(),
    remoteParentNotSampled: new AlwaysOnSampler(),
  });
}

/**
 * Turns tracing on for the process: W3C trace context propagation, async-local context, and a
 * tracer provider exporting over OTLP/HTTP when an endpoint is given. Without any exporter or
 * processor the spans record nothing (`samplerFor`) but their ids still flow. Without this call
 * the OpenTelemetry API stays a no-op (no ids at all). Once per process (a second call answers
 * the first set-up).
 */
export function setupTracing(options: TracingOptions): Tracing {
  if (installed) return installed;
  const processors: SpanProcessor[] = [...(options.processors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) }));
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName,
      ...(options.serviceVersion ? { 'service.version': options.serviceVersion } : {}),
    }),
    spanProcessors: processors,
    sampler: samplerFor(processors.length > 0),
  });
  recording = processors.length > 0;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  installed = {
    provider,
    async shutdown() {
      await provider.shutdown();
    },
  };
  return installed;
}

/** The tracer of one NetPay component; its name tells apart the apps of one test process. */
export function tracer(component: string): Tracer {
  return trace.getTracer(component);
}

/** Anything that holds headers by name: NATS `MsgHdrs`, Node's incoming headers, a plain record. */
export interface HeaderCarrier {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
  keys(): string[];
}

/** Writes the active trace context (`traceparent`, `tracestate`) into outgoing headers. */
export function injectTraceContext(
  set: (name: string, value: string) => void,
  ctx: Context = context.active(),
): void {
  propagation.inject(ctx, undefined, { set: (_carrier, key, value) => set(key, value) });
}

/** The context a message or request continues, from its headers (the root context when none). */
export function extractTraceContext(get: (name: string) => string | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, undefined, {
    get: (_carrier, key) => get(key),
    keys: () => ['traceparent', 'tracestate'],
  });
}

/** `traceparent` of the active span, for event metadata; undefined when nothing is traced. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  let found: string | undefined;
  injectTraceContext((name, value) => {
    if (name === 'traceparent') found = value;
  }, ctx);
  return found;
}

/** The context a stored event's `traceparent` continues (a projection's span is its child). */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent
    ? extractTraceContext((name) => (name === 'traceparent' ? traceparent : undefined))
    : ROOT_CONTEXT;
}

/**
 * Runs `fn` in a new span (child of `parent`, the active context by default), ending it when the
 * promise settles and marking it failed when it rejects.
 */
export async function inSpan<T>(
  tracerOf: Tracer,
  name: string,
  options: {
    kind?: SpanKind;
    attributes?: Record<string, string | number | boolean>;
    parent?: Context;
    links?: Link[];
  },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracerOf.startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes, links: options.links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    span.end();
  }
}

/**
 * A link to the span active in `ctx` (none when nothing is traced): for a span that starts a trace
 * of its own on someone's request, so the request's trace and the new one lead to each other.
 */
export function linksToActiveSpan(ctx: Context = context.active()): Link[] {
  const caller = trace.getSpanContext(ctx);
  return caller && isSpanContextValid(caller) ? [{ context: caller }] : [];
}

/**
 * A projection's share of a trace: one consumer span per folded event that carries a
 * `traceparent`, child of the request that appended it, from `startedAt` (when the batch began)
 * to now. Events without one (tracing off when they were written) add nothing, and nothing is
 * done when this process records no span: these spans end at once and nothing runs inside them,
 * so their ids would reach no log line and no header (1.6–2.3 µs of CPU per event to parse its
 * traceparent and make a span nobody keeps: 7 % of the broker's CPU profile in the whole stack).
 */
export function traceProjected(
  projection: string,
  events: readonly { type: string; streamName: string; metadata: { traceparent?: string } }[],
  startedAt: number,
): void {
  if (!recording) return;
  const projectionTracer = tracer(projection);
  for (const event of events) {
    if (!event.metadata.traceparent) continue;
    projectionTracer
      .startSpan(
        `project ${event.type}`,
        {
          kind: SpanKind.CONSUMER,
          startTime: startedAt,
          attributes: { 'netpay.projection': projection, 'netpay.stream': event.streamName },
        },
        contextOfTraceparent(event.metadata.traceparent),
      )
      .end();
  }
}
