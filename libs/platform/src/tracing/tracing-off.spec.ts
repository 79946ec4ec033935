import { describe, expect, it } from '@jest/globals';
import { context, trace } from '@opentelemetry/api';
import { currentTraceparent, extractTraceContext, setupTracing, tracer } from './tracing.js';

// Tracing set up as a service starts it without OTEL_EXPORTER_OTLP_ENDPOINT: nothing exports.
setupTracing({ serviceName: 'test-no-export' });

describe('tracing with nothing to export', () => {
  it('records no span, yet every span has valid ids that reach its children and the traceparent', () => {
    const root = tracer('test').startSpan('GET /articles/:id');
    expect(root.isRecording()).toBe(false);
    const ids = root.spanContext();
    expect(trace.isSpanContextValid(ids)).toBe(true);

    const inside = trace.setSpan(context.active(), root);
    const child = tracer('test').startSpan('nats request', {}, inside);
    expect(child.isRecording()).toBe(false);
    expect(child.spanContext().traceId).toBe(ids.traceId);
    expect(currentTraceparent(inside)).toBe(`00-${ids.traceId}-${ids.spanId}-00`);
    child.end();
    root.end();
  });

  it("continues a caller's trace id without recording", () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const parent = extractTraceContext((name) => (name === 'traceparent' ? traceparent : undefined));
    const span = tracer('test').startSpan('POST /spends', {}, parent);
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    span.end();
  });
});
