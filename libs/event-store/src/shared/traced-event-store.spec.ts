import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { setupTracing, type Tracing } from '#platform';
import { InMemoryEventStore } from '../in-memory/in-memory-event-store.js';
import { TracedEventStore } from './traced-event-store.js';

// The EventStoreDB adapter's span wrapper, over the in-memory store (the adapter's own tests
// need a server): each call is a client span of the caller's trace, and an append's events
// carry that span's traceparent.
describe('TracedEventStore', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = setupTracing({
      serviceName: 'store-under-test',
      processors: [new SimpleSpanProcessor({ exporter })],
    });
  });
  afterAll(() => tracing.shutdown());

  const event = () => ({
    id: randomUUID(),
    type: 'Noted',
    version: 1,
    data: {},
    metadata: { correlationId: 'c', causationId: 'c', actor: 'test' },
  });

  it('makes append, read stream and read all client spans of the caller’s trace', async () => {
    const store = new TracedEventStore(new InMemoryEventStore(), 'eventstoredb');
    const request = trace.getTracer('test').startSpan('request');
    await context.with(trace.setSpan(context.active(), request), async () => {
      await store.appendToStream('note-1', [event(), event()]);
      await store.readStream('note-1');
      await store.readAll({ maxCount: 10 });
    });
    request.end();
    const spans = exporter
      .getFinishedSpans()
      .filter((s) => s.spanContext().traceId === request.spanContext().traceId);
    const calls = spans.filter((s) => s.name.startsWith('event-store'));
    expect(calls.map((s) => [s.name, s.attributes['db.system'], s.attributes['netpay.events']])).toEqual([
      ['event-store append', 'eventstoredb', 2],
      ['event-store read stream', 'eventstoredb', 2],
      ['event-store read all', 'eventstoredb', 2],
    ]);
    for (const s of calls) expect(s.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    const appendSpan = calls[0]!.spanContext();
    const stored = await store.readStream('note-1');
    expect(stored.map((e) => e.metadata.traceparent)).toEqual([
      `00-${appendSpan.traceId}-${appendSpan.spanId}-01`,
      `00-${appendSpan.traceId}-${appendSpan.spanId}-01`,
    ]);
  });

  it('marks a failed call', async () => {
    const store = new TracedEventStore(new InMemoryEventStore(), 'eventstoredb');
    await store.appendToStream('note-2', [event()]);
    await expect(
      store.appendToStream('note-2', [event()], { expectedRevision: 'no_stream' }),
    ).rejects.toThrow();
    const failed = exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'event-store append' && s.status.code === SpanStatusCode.ERROR);
    expect(failed.length).toBe(1);
  });
});
