// node dist/bench/tracing-overhead.js [--rounds 4] [--requests 20000]
//
// What tracing costs a request when nothing exports the spans. `npm run bench` drives the vendor
// engine below HTTP and never sets tracing up, so its figures cannot show this. Here each round
// starts two child processes, one per mode, in turn (A/B/A/B: the machine is shared and noisy),
// each serving the same requests through fastify with the services' own HTTP tracing (a server
// span per request), one child span (as a NATS request) and the traceparent an appended event
// takes, and reports the CPU of the process per request:
//   recording    the provider as it was: every span recorded, with no processor to read it
//   sampled-off  setupTracing as it is without OTEL_EXPORTER_OTLP_ENDPOINT (AlwaysOff sampler)
// and, as the floor, `none`: no tracing set up at all (the OpenTelemetry API's no-op).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import Fastify from 'fastify';
import { currentTraceparent, inSpan, setupTracing, SpanKind, traceHttp, tracer } from '#platform';

type Mode = 'none' | 'recording' | 'sampled-off';
const MODES: readonly Mode[] = ['none', 'recording', 'sampled-off'];

async function child(mode: Mode, requests: number): Promise<number> {
  if (mode === 'sampled-off') setupTracing({ serviceName: 'vendor' });
  if (mode === 'recording') {
    // The set-up before this change: a provider with the default sampler and no processor.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [] }));
  }
  const app = Fastify();
  traceHttp(app, 'vendor');
  const natsTracer = tracer('vendor-nats');
  app.get('/articles/:id', async () => {
    const traceparent = await inSpan(
      natsTracer,
      'nats request netpay.touchstone',
      { kind: SpanKind.CLIENT, attributes: { 'messaging.destination.name': 'netpay.touchstone' } },
      async () => currentTraceparent(),
    );
    return { ok: true, traceparent: traceparent ?? null };
  });
  await app.ready();
  const send = (i: number) =>
    app.inject({
      method: 'GET',
      url: `/articles/${i}`,
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
  for (let i = 0; i < 2_000; i++) await send(i); // warm-up
  const before = process.cpuUsage();
  const inFlight = 32;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < requests) await send(next++);
    }),
  );
  const used = process.cpuUsage(before);
  await app.close();
  return (used.user + used.system) / requests;
}

function runChild(mode: Mode, requests: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', mode, '--requests', String(requests)]);
    proc.on('message', (m) => resolve(Number(m)));
    proc.on('error', reject);
    proc.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`${mode} exited ${code}`))));
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      rounds: { type: 'string', default: '4' },
      requests: { type: 'string', default: '20000' },
    },
  });
  const requests = Number(values.requests);
  if (values.child !== undefined) {
    const perRequest = await child(values.child as Mode, requests);
    process.send?.(perRequest);
    return;
  }
  const seen: Record<Mode, number[]> = { none: [], recording: [], 'sampled-off': [] };
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const mode of MODES) seen[mode].push(await runChild(mode, requests));
    console.log(
      `round ${round}: ${MODES.map((m) => `${m} ${seen[m].at(-1)!.toFixed(1)} µs`).join(', ')} CPU per request`,
    );
  }
  const [none, recording, off] = MODES.map((m) => median(seen[m]));
  console.log(
    `median CPU per request: none ${none!.toFixed(1)} µs, recording ${recording!.toFixed(1)} µs, ` +
      `sampled-off ${off!.toFixed(1)} µs; sampled-off/recording ${(off! / recording!).toFixed(3)}, ` +
      `tracing's share: recording ${(recording! - none!).toFixed(1)} µs, sampled-off ${(off! - none!).toFixed(1)} µs`,
  );
}

await main();
