import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { streams } from '#events';
import { eventually } from '#event-store/testing';
import { setupTracing, type Tracing } from '#platform';
import type { IssuedChain } from '../../test/in-memory-broker.js';
import { type RunningVendor, VendorStack } from '../../test/vendor-stack.js';

async function spend(
  vendor: RunningVendor,
  issued: IssuedChain,
  index: number,
  headers: Record<string, string> = {},
) {
  const proof = issued.chain.spendProof(index, 1);
  return vendor.http('POST', '/spends', { body: { ...proof, count: 1, resource: `r-${index}` }, headers });
}

/**
 * Two vendor apps over real NATS and JetStream, traced into one in-memory exporter: a spend at B
 * on a chain A holds makes B ask A for the index; the trace goes from B's HTTP request through
 * the NATS request headers to A's handling and into the IndexHandedOff event's metadata.
 */
describe('tracing: a hand-off is one trace across both vendors', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: VendorStack;
  let a: RunningVendor;
  let b: RunningVendor;

  beforeAll(async () => {
    tracing = setupTracing({
      serviceName: 'vendors-under-test',
      processors: [new SimpleSpanProcessor({ exporter })],
    });
    stack = await VendorStack.start();
    a = await stack.vendor('va');
    b = await stack.vendor('vb');
  });
  afterAll(async () => {
    await stack.dispose();
    await tracing.shutdown();
  });

  it('follows the spend from B over NATS to A and into the stored event', async () => {
    const issued = await stack.broker.issue();
    expect((await spend(a, issued, 1)).status).toBe(201);
    exporter.reset();
    // The caller's own trace context is continued (W3C traceparent from an upstream proxy).
    const upstreamTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await spend(b, issued, 2, { traceparent: `00-${upstreamTrace}-00f067aa0ba902b7-01` });
    expect(res.status).toBe(201);

    const traced = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === upstreamTrace);
    await eventually('both vendors’ spans', () =>
      ['hand-off serve', 'POST /spends'].every((name) => traced().some((s) => s.name === name)),
    );
    const spans = traced();
    const by = (scope: string, name: string): ReadableSpan => {
      const span = spans.find((s) => s.instrumentationScope.name === scope && s.name === name);
      if (!span)
        throw new Error(
          `no span ${name} of ${scope} in ${spans.map((s) => `${s.instrumentationScope.name}:${s.name}`).join(', ')}`,
        );
      return span;
    };
    const http = by('vendor-vb', 'POST /spends');
    const request = by('vendor-hand-off', 'hand-off request va');
    const served = by('vendor-va', 'hand-off serve');
    // B's request span is a child of B's HTTP span; A's serving span is a child of B's request span.
    expect(http.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(request.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(served.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(served.attributes['netpay.vendor']).toBe('va');

    // The hand-off A appended, and B's spend, carry the trace in their metadata.
    const events = await stack.store.readStream(streams.chain(issued.chain.chainId));
    const handedOff = events.find((e) => e.type === 'IndexHandedOff');
    expect(handedOff?.metadata.traceparent).toMatch(
      new RegExp(`^00-${upstreamTrace}-${served.spanContext().spanId}-01$`),
    );
    const spent = events.filter((e) => e.type === 'CoinsSpent').at(-1);
    expect(spent?.metadata.traceparent).toContain(upstreamTrace);
  });
});
