import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { inSpan, setupTracing, tracer, type Tracing } from '#platform';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';
import { honestDay } from '../../test/scenarios.js';

/** A night is one trace: its steps are spans of it, and the events it appends carry its traceparent. */
describe('tracing: a redemption night', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let f: NightFixture;

  beforeAll(async () => {
    tracing = setupTracing({
      serviceName: 'redemption-under-test',
      processors: [new SimpleSpanProcessor({ exporter })],
    });
    f = await nightFixture();
    await f.vendors('va', 'vb', 'vc');
    await honestDay(f.world);
  });
  afterAll(async () => {
    await f.dispose();
    await tracing.shutdown();
  });

  it('holds catch-up, seal, and each batch’s verify and pay, linked to the events it appended', async () => {
    exporter.reset();
    const report = await f.worker.night.run();
    expect(report.outcomes.map((o) => o.status)).toEqual(['paid', 'paid', 'paid']);

    const spans = exporter.getFinishedSpans();
    const night = spans.find((s) => s.name === 'redemption night');
    expect(night).toBeDefined();
    expect(night!.parentSpanContext).toBeUndefined();
    expect(night!.attributes).toMatchObject({
      'netpay.business_day': '2026-03-10',
      'netpay.night.sealed': 3,
    });
    const traceId = night!.spanContext().traceId;
    const inNight = spans.filter((s) => s.spanContext().traceId === traceId);
    const children = (parent: ReadableSpan) =>
      inNight.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId).map((s) => s.name);
    expect(children(night!)).toEqual(['catch up', 'seal', 'redeem batch', 'redeem batch', 'redeem batch']);
    for (const batch of inNight.filter((s) => s.name === 'redeem batch'))
      expect(children(batch)).toEqual(['verify batch', 'pay batch']);

    // The night's events continue its trace: each names a span of it as its parent.
    const ids = new Set(inNight.map((s) => s.spanContext().spanId));
    const appended = (await f.store.readAll()).filter((e) => e.metadata.actor === 'redemption');
    expect(appended.length).toBeGreaterThan(0);
    for (const event of appended) {
      const [, trace, span] = event.metadata.traceparent?.split('-') ?? [];
      expect({ type: event.type, trace, inNight: ids.has(span ?? '') }).toEqual({
        type: event.type,
        trace: traceId,
        inNight: true,
      });
    }
  });

  // The night is a trace of its own, whoever asks: the operator's POST /redemption/nights (or the
  // cut-off's job) got a trace id in its request line that led nowhere near the night's.
  it('links the night to the span that asked for it (an operator request)', async () => {
    exporter.reset();
    let asked: { traceId: string; spanId: string } | undefined;
    await inSpan(tracer('test'), 'POST /redemption/nights', {}, async (span) => {
      asked = { traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
      await f.worker.night.run();
    });
    const night = exporter.getFinishedSpans().find((s) => s.name === 'redemption night');
    expect(night!.parentSpanContext).toBeUndefined();
    expect(night!.spanContext().traceId).not.toBe(asked!.traceId);
    expect(night!.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }))).toEqual([
      asked,
    ]);
  });
});
