import { describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { extractTraceContext, setupTracing, tracer } from './tracing.js';

const exporter = new InMemorySpanExporter();
setupTracing({ serviceName: 'test-export', processors: [new SimpleSpanProcessor({ exporter })] });

describe('tracing that exports', () => {
  it('records every span, even one continuing a caller that did not sample (a process exporting nothing)', () => {
    const unsampled = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00';
    const parent = extractTraceContext((name) => (name === 'traceparent' ? unsampled : undefined));
    const span = tracer('test').startSpan('nats serve netpay.handoff', {}, parent);
    expect(span.isRecording()).toBe(true);
    span.end();
    const [exported] = exporter.getFinishedSpans();
    expect(exported?.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(exported?.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('records a root span', () => {
    const span = tracer('test').startSpan('GET /catalog');
    expect(span.isRecording()).toBe(true);
    span.end();
  });
});
