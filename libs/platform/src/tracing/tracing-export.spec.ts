import { describe, expect, it } from '@jest/globals';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { traceHttp } from './http-tracing.js';
import { extractTraceContext, setupTracing, traceProjected, tracer } from './tracing.js';

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

  it("gives an HTTP request's span its route, path, status and correlation id", async () => {
    exporter.reset();
    const app = Fastify();
    traceHttp(app, 'test-http');
    app.get('/articles/:id', async () => ({ ok: true }));
    app.get('/broken/:id', async (_request, reply) => reply.code(503).send({ ok: false }));
    // A real server and fetch, not `inject` (its cookie parser is ESM, which Jest on Node 20 cannot require).
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    await fetch(`${url}/articles/a-1?x=1`, { headers: { 'x-correlation-id': 'corr-1' } });
    await fetch(`${url}/broken/b-2`);
    await app.close();
    // A span ends in the onResponse hook, which may run just after the client has its answer.
    for (let i = 0; i < 100 && exporter.getFinishedSpans().length < 2; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const [ok, broken] = exporter.getFinishedSpans();
    expect(ok?.name).toBe('GET /articles/:id');
    expect(ok?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/articles/:id',
      'url.path': '/articles/a-1',
      'netpay.correlation_id': 'corr-1',
      'http.response.status_code': 200,
    });
    expect(broken?.attributes['http.response.status_code']).toBe(503);
    expect(broken?.status.code).toBe(2); // SpanStatusCode.ERROR
  });

  it('gives a projection one consumer span per folded event, child of the request that wrote it', () => {
    exporter.reset();
    const writer = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    traceProjected(
      'broker-wallet',
      [
        { type: 'CoinsSpent', streamName: 'chain-c1', metadata: { traceparent: writer } },
        { type: 'CoinsSpent', streamName: 'chain-c2', metadata: {} }, // written untraced: no span
      ],
      Date.now() - 5,
    );
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['project CoinsSpent']);
    expect(spans[0]?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(spans[0]?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(spans[0]?.attributes).toEqual({
      'netpay.projection': 'broker-wallet',
      'netpay.stream': 'chain-c1',
    });
  });
});
