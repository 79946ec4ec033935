import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { JetStreamEventStore, type NewEvent } from '#event-store';
import { benchStore } from './bench-nats.js';
import type { BenchFigure } from './figures.js';

/**
 * The JetStream event store against the local NATS server (NATS_URL), in a
 * throwaway JetStream stream that is deleted afterwards: appends one at a
 * time, appends with 64 in flight across streams, reads of the whole log, and
 * reads of many small streams (chain histories, as the redemption worker and a
 * vendor's cold load read them).
 */
const durationMs = Number(process.env.BENCH_DURATION_MS) > 0 ? Number(process.env.BENCH_DURATION_MS) : 1500;

function paywordSpent(index: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'PaywordSpent',
    version: 1,
    data: { index, payword: 'ab'.repeat(32), vendorId: 'vendor_1', at: '2026-11-21T08:00:00.000Z' },
    metadata: { correlationId: randomUUID(), causationId: randomUUID(), actor: 'vendor:vendor_1' },
  };
}

/** Small streams for the read figures: typical chain streams hold 1–500 events, most a few dozen. */
const SMALL_STREAMS = 2_000;
const SMALL_STREAM_EVENTS = 20;
const SPREAD_STREAMS = 1_000;

/** Runs `items` through `work` with at most `lanes` in flight; returns items per second. */
async function throughput<T>(
  items: readonly T[],
  lanes: number,
  work: (item: T) => Promise<void>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
  return (items.length / (performance.now() - start)) * 1000;
}

/** Runs `work` in `lanes` concurrent loops for the duration; returns completed operations per second. */
async function rate(lanes: number, work: (lane: number) => Promise<void>): Promise<number> {
  let count = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async (_, lane) => {
      while (performance.now() < end) {
        await work(lane);
        count++;
      }
    }),
  );
  return (count / (performance.now() - start)) * 1000;
}

export default async function eventStoreBenchmarks(): Promise<BenchFigure[]> {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const store = await JetStreamEventStore.connect(
    benchStore(`BENCH_EVENTS_${unique}`, `bench.${unique}.events`),
  );
  try {
    // 1. One writer, one chain, each append waiting for the last (the expected revision chains them).
    const chain = `chain-bench_${unique}`;
    let revision = -1;
    const sequential = await rate(1, async () => {
      const result = await store.appendToStream(chain, [paywordSpent(revision + 1)], {
        expectedRevision: revision < 0 ? 'no_stream' : revision,
      });
      revision = result.nextExpectedRevision;
    });

    // 2. 64 appends in flight, one chain per lane, as many vendors spending at once.
    const revisions = new Array<number>(64).fill(-1);
    let appended = 0;
    const cpuBefore = process.cpuUsage();
    const concurrent = await rate(64, async (lane) => {
      const r = revisions[lane]!;
      const result = await store.appendToStream(`chain-bench_${unique}_${lane}`, [paywordSpent(r + 1)], {
        expectedRevision: r < 0 ? 'no_stream' : r,
      });
      revisions[lane] = result.nextExpectedRevision;
      appended++;
    });
    const cpu = process.cpuUsage(cpuBefore);
    const appendCpu = (cpu.user + cpu.system) / appended;

    // 3. The whole log, in pages of 10,000, as a projection rebuild reads it.
    const readStart = performance.now();
    let read = 0;
    for (let after: bigint | undefined; ;) {
      const page = await store.readAll({ after, maxCount: 10_000 });
      if (page.length === 0) break;
      read += page.length;
      after = page[page.length - 1]!.position;
    }
    const readAll = (read / (performance.now() - readStart)) * 1000;

    // 4. One long stream read back whole, as a command handler loads a busy chain.
    const streamStart = performance.now();
    const chainEvents = await store.readStream(chain);
    const readStream = (chainEvents.length / (performance.now() - streamStart)) * 1000;

    // 5. Many small streams read whole: one at a time (a vendor's cold load of a chain),
    //    then 64 in flight (the redemption worker replaying a batch's chains).
    const small = Array.from({ length: SMALL_STREAMS }, (_, i) => `chain-bench_${unique}_small_${i}`);
    await throughput(small, 64, async (stream) => {
      const events = Array.from({ length: SMALL_STREAM_EVENTS }, (_, i) => paywordSpent(i));
      await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
    });
    const readWhole = async (stream: string): Promise<void> => {
      const events = await store.readStream(stream);
      if (events.length !== SMALL_STREAM_EVENTS) {
        throw new Error(`${stream}: read ${events.length} events, wrote ${SMALL_STREAM_EVENTS}`);
      }
    };
    const smallSequential = await throughput(small, 1, readWhole);
    const readCpuBefore = process.cpuUsage();
    const smallConcurrent = await throughput(small, 64, readWhole);
    const readCpu = process.cpuUsage(readCpuBefore);

    // 6. The same, with each stream's events spread over the whole log: appended round-robin, one
    //    event to every stream per round, as spends on many chains arrive in a live system.
    const spread = small.slice(0, SPREAD_STREAMS).map((stream) => `${stream}_spread`);
    for (let round = 0; round < SMALL_STREAM_EVENTS; round++) {
      await throughput(spread, 64, async (stream) => {
        await store.appendToStream(stream, [paywordSpent(round)]);
      });
    }
    const spreadSequential = await throughput(spread, 1, readWhole);

    return [
      {
        name: 'event-store.jetstream.append-sequential',
        value: sequential,
        unit: 'appends/s',
        description: 'JetStream: one event per append, one stream, each waiting for the previous ack',
      },
      {
        name: 'event-store.jetstream.append-64-in-flight',
        value: concurrent,
        unit: 'appends/s',
        description: 'JetStream: one event per append, 64 appends in flight on 64 streams',
      },
      {
        name: 'event-store.jetstream.append-client-cpu',
        value: appendCpu,
        unit: 'µs/append',
        description: 'JetStream: CPU this process spends per append (user + system) in the 64-in-flight run',
      },
      {
        name: 'event-store.jetstream.read-all',
        value: readAll,
        unit: 'events/s',
        description: `JetStream: readAll of ${read} events in pages of 10,000`,
      },
      {
        name: 'event-store.jetstream.read-stream',
        value: readStream,
        unit: 'events/s',
        description: `JetStream: readStream of one stream of ${chainEvents.length} events`,
      },
      {
        name: 'event-store.jetstream.read-stream-small',
        value: smallSequential,
        unit: 'reads/s',
        description: `JetStream: readStream of ${SMALL_STREAMS} streams of ${SMALL_STREAM_EVENTS} events, one read at a time`,
      },
      {
        name: 'event-store.jetstream.read-stream-small-64-in-flight',
        value: smallConcurrent,
        unit: 'reads/s',
        description: `JetStream: readStream of ${SMALL_STREAMS} streams of ${SMALL_STREAM_EVENTS} events, 64 reads in flight`,
      },
      {
        name: 'event-store.jetstream.read-stream-small-client-cpu',
        value: (readCpu.user + readCpu.system) / small.length,
        unit: 'µs/read',
        description: `JetStream: CPU this process spends per readStream of ${SMALL_STREAM_EVENTS} events (user + system) in the 64-in-flight run`,
      },
      {
        name: 'event-store.jetstream.read-stream-spread',
        value: spreadSequential,
        unit: 'reads/s',
        description: `JetStream: readStream of ${SPREAD_STREAMS} streams of ${SMALL_STREAM_EVENTS} events appended round-robin (each stream's events ${SPREAD_STREAMS} apart), one read at a time`,
      },
    ];
  } finally {
    await store.deleteStreams().catch(() => undefined);
    await store.close();
  }
}
