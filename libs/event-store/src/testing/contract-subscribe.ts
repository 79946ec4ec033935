import { describe, expect, it } from '@jest/globals';
import type {
  CheckpointStore,
  RecordedEvent,
  SubscribeBatchOptions,
  SubscribeEachOptions,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.js';
import { anEvent, eventually, type EventStoreContractSubject, uniqueName, uniqueStream } from './harness.js';

type Use = (test: (subject: EventStoreContractSubject) => Promise<void>) => () => Promise<void>;

/** Subscribes and collects events; `handle` may throw or stop on the way. */
function collect(
  subscribe: (options: SubscribeOptions) => Subscription,
  options: Omit<SubscribeEachOptions, 'handler'>,
  handle?: (event: RecordedEvent, seen: RecordedEvent[], subscription: () => Subscription) => void,
): { seen: RecordedEvent[]; subscription: Subscription; caughtUp: () => number } {
  const seen: RecordedEvent[] = [];
  let caughtUp = 0;
  const subscription: Subscription = subscribe({
    ...options,
    onCaughtUp: () => caughtUp++,
    handler: async (event) => {
      handle?.(event, seen, () => subscription);
      seen.push(event);
    },
  });
  return { seen, subscription, caughtUp: () => caughtUp };
}

/** Subscribes with `handleBatch` and collects the batches; `handle` may throw or hold a batch up first. */
function collectBatches(
  subscribe: (options: SubscribeOptions) => Subscription,
  options: Omit<SubscribeBatchOptions, 'handleBatch'>,
  handle?: (batch: readonly RecordedEvent[], batches: RecordedEvent[][]) => Promise<void> | void,
): {
  batches: RecordedEvent[][];
  events: () => RecordedEvent[];
  subscription: Subscription;
  caughtUp: () => number;
} {
  const batches: RecordedEvent[][] = [];
  let caughtUp = 0;
  const subscription = subscribe({
    ...options,
    onCaughtUp: () => caughtUp++,
    handleBatch: async (batch) => {
      await handle?.(batch, batches);
      batches.push([...batch]);
    },
  });
  return { batches, events: () => batches.flat(), subscription, caughtUp: () => caughtUp };
}

/** A store's checkpoints, each call also written to `log` (`store <position>`). */
function recording(inner: CheckpointStore, log: string[]): CheckpointStore {
  return {
    load: (id) => inner.load(id),
    store: async (id, position) => {
      await inner.store(id, position);
      log.push(`store ${position}`);
    },
  };
}

const countOf = (e: RecordedEvent): number => (e.data as { n: number }).n;
const sequence = (length: number): number[] => Array.from({ length }, (_, n) => n);

export function subscribeContract(use: Use): void {
  describe('subscribing', () => {
    it(
      'delivers past then live events, filtered by category and by event type',
      use(async ({ store }) => {
        // Unique category and type names keep a shared global log (EventStoreDB) out of the picture.
        const [chain, purchase] = [uniqueName('chain'), uniqueName('purchase')];
        const [issued, spent, paid, refunded] = [
          'ChainIssued',
          'PaywordSpent',
          'PurchasePaid',
          'PurchaseRefunded',
        ].map(uniqueName) as [string, string, string, string];
        const [chain1, chain2, purchase1] = [
          uniqueStream(chain),
          uniqueStream(chain),
          uniqueStream(purchase),
        ];
        await store.appendToStream(chain1, [anEvent(issued), anEvent(spent)]);
        await store.appendToStream(purchase1, [anEvent(paid)]);
        const subscribe = (o: SubscribeOptions): Subscription => store.subscribeToAll(o);
        const byCategory = collect(subscribe, {
          subscriptionId: uniqueName('cat'),
          filter: { categories: [chain] },
        });
        const byType = collect(subscribe, {
          subscriptionId: uniqueName('type'),
          filter: { eventTypes: [spent, paid] },
        });
        const both = collect(subscribe, {
          subscriptionId: uniqueName('both'),
          filter: { categories: [chain, purchase], eventTypes: [spent] },
        });
        await eventually(
          'catch-up',
          () => byCategory.caughtUp() > 0 && byType.caughtUp() > 0 && both.caughtUp() > 0,
        );
        await store.appendToStream(chain2, [anEvent(issued), anEvent(spent)]);
        await store.appendToStream(purchase1, [anEvent(refunded), anEvent(paid)]);
        await eventually('live events', () => byType.seen.length === 4 && byCategory.seen.length === 4);
        await eventually('live events', () => both.seen.length === 2);
        const names = (seen: RecordedEvent[]): string[] => seen.map((e) => `${e.streamName}:${e.type}`);
        expect(names(byCategory.seen)).toEqual([
          `${chain1}:${issued}`,
          `${chain1}:${spent}`,
          `${chain2}:${issued}`,
          `${chain2}:${spent}`,
        ]);
        expect(names(byType.seen)).toEqual([
          `${chain1}:${spent}`,
          `${purchase1}:${paid}`,
          `${chain2}:${spent}`,
          `${purchase1}:${paid}`,
        ]);
        expect(names(both.seen)).toEqual([`${chain1}:${spent}`, `${chain2}:${spent}`]);
        await Promise.all([byCategory, byType, both].map((s) => s.subscription.stop()));
        await expect(byType.subscription.done).resolves.toBeUndefined();
        const positions = byCategory.seen.map((e) => e.position);
        expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
      }),
    );

    it(
      'resumes a stopped or crashed subscriber from its checkpoint, skipping nothing and applying nothing twice',
      use(async ({ store, restart }) => {
        const category = uniqueName('resume');
        const stream = uniqueStream(category);
        for (let n = 0; n < 12; n++) await store.appendToStream(stream, [anEvent('Counted', { n })]);
        const id = uniqueName('resume');
        const filter = { categories: [category] };
        const applied: number[] = [];
        const count = (e: RecordedEvent): number => (e.data as { n: number }).n;

        // 1. Stopped cleanly after the 4th event.
        const first = collect(
          (o) => store.subscribeToAll(o),
          { subscriptionId: id, filter },
          (e, seen, sub) => {
            applied.push(count(e));
            if (seen.length === 3) void sub().stop();
          },
        );
        await first.subscription.done;
        expect(applied).toEqual([0, 1, 2, 3]);
        expect(await store.checkpoints().load(id)).toBe(first.seen[3]!.position);

        // 2. Crashes on the 8th event: its handler throws, so it is not applied and stays unacknowledged.
        const failure = new Error('projection crashed');
        const second = collect(
          (o) => store.subscribeToAll(o),
          { subscriptionId: id, filter },
          (e) => {
            if (count(e) === 7) throw failure;
            applied.push(count(e));
          },
        );
        await expect(second.subscription.done).rejects.toBe(failure);

        // 3. After a restart (new store instance), it picks up at the 8th.
        const restarted = await restart();
        const third = collect(
          (o) => restarted.subscribeToAll(o),
          { subscriptionId: id, filter },
          (e) => {
            applied.push(count(e));
          },
        );
        await eventually('the rest', () => applied.length === 12);
        await store.appendToStream(stream, [anEvent('Counted', { n: 12 })]);
        await eventually('a live event', () => applied.length === 13);
        await third.subscription.stop();
        expect(applied).toEqual(Array.from({ length: 13 }, (_, n) => n));
      }),
    );

    it(
      'reports caught-up even when nothing matches the filter yet',
      use(async ({ store }) => {
        await store.appendToStream(uniqueStream(uniqueName('other')), [anEvent('Elsewhere')]);
        const category = uniqueName('quiet');
        const quiet = collect((o) => store.subscribeToAll(o), {
          subscriptionId: uniqueName('quiet'),
          filter: { categories: [category] },
        });
        await eventually('caught-up', () => quiet.caughtUp() > 0);
        expect(quiet.seen).toEqual([]);
        await store.appendToStream(uniqueStream(category), [anEvent('Finally')]);
        await eventually('the first matching event', () => quiet.seen.length === 1);
        await quiet.subscription.stop();
      }),
    );

    it(
      'hands a batch handler every matching event in order, at most maxBatch at once, and stores the checkpoint after each batch',
      use(async ({ store }) => {
        const [category, other] = [uniqueName('batched'), uniqueName('other')];
        const [stream, elsewhere] = [uniqueStream(category), uniqueStream(other)];
        for (let n = 0; n < 25; n++) {
          if (n % 5 === 0) await store.appendToStream(elsewhere, [anEvent('Elsewhere')]);
          await store.appendToStream(stream, [anEvent('Counted', { n })]);
        }
        const log: string[] = [];
        const id = uniqueName('batched');
        const sub = collectBatches(
          (o) => store.subscribeToAll(o),
          {
            subscriptionId: id,
            filter: { categories: [category] },
            maxBatch: 4,
            checkpoints: recording(store.checkpoints(), log),
          },
          (batch) => {
            log.push(`batch ${batch.map((e) => e.position).join(',')}`);
          },
        );
        await eventually('the past events', () => sub.events().length === 25 && sub.caughtUp() > 0);
        for (let n = 25; n < 28; n++) await store.appendToStream(stream, [anEvent('Counted', { n })]);
        await eventually('the live events', () => sub.events().length === 28);
        await sub.subscription.stop();
        await expect(sub.subscription.done).resolves.toBeUndefined();

        expect(sub.events().map(countOf)).toEqual(sequence(28));
        const positions = sub.events().map((e) => e.position);
        expect([...positions].sort((x, y) => (x < y ? -1 : 1))).toEqual(positions);
        for (const batch of sub.batches) expect(batch.length).toBeGreaterThanOrEqual(1);
        for (const batch of sub.batches) expect(batch.length).toBeLessThanOrEqual(4);
        // Each batch is followed by one checkpoint, at its last event, before the next batch.
        const batchLines = log.flatMap((line, i) => (line.startsWith('batch') ? [i] : []));
        expect(batchLines).toHaveLength(sub.batches.length);
        batchLines.forEach((at, b) => {
          expect(log[at + 1]).toBe(`store ${sub.batches[b]!.at(-1)!.position}`);
        });
        expect(await store.checkpoints().load(id)).toBe(positions.at(-1));
      }),
    );

    it(
      'lingering: live events appended one by one are handled together, in order, and the checkpoint follows',
      use(async ({ store }) => {
        const category = uniqueName('linger');
        const stream = uniqueStream(category);
        const id = uniqueName('linger');
        const sub = collectBatches((o) => store.subscribeToAll(o), {
          subscriptionId: id,
          filter: { categories: [category] },
          // Long enough that the five appends below (25 ms apart, so each a delivery of its own)
          // all come while the first one's batch waits.
          lingerMs: 3_000,
        });
        await eventually('caught up with the empty category', () => sub.caughtUp() > 0);
        const caughtUpBefore = sub.caughtUp();
        for (let n = 0; n < 5; n++) {
          await store.appendToStream(stream, [anEvent('Counted', { n })]);
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        await eventually('the live events', () => sub.events().length === 5);
        await eventually('caught up again', () => sub.caughtUp() > caughtUpBefore);
        await sub.subscription.stop();

        expect(sub.events().map(countOf)).toEqual(sequence(5));
        // Without lingering each append is a batch of its own (the feed keeps up with them).
        expect(sub.batches.length).toBeLessThan(5);
        expect(await store.checkpoints().load(id)).toBe(sub.events().at(-1)!.position);
        expect(() =>
          store.subscribeToAll({
            subscriptionId: uniqueName('bad'),
            handleBatch: async () => undefined,
            lingerMs: -1,
          }),
        ).toThrow(/lingerMs/);
      }),
    );

    it(
      'stores nothing of a batch whose handler throws, and hands all of it over again after a restart',
      use(async ({ store, restart }) => {
        const category = uniqueName('failing');
        const stream = uniqueStream(category);
        for (let n = 0; n < 12; n++) await store.appendToStream(stream, [anEvent('Counted', { n })]);
        const id = uniqueName('failing');
        const filter = { categories: [category] };
        const failure = new Error('projection crashed');
        const failed: RecordedEvent[] = [];
        const first = collectBatches(
          (o) => store.subscribeToAll(o),
          { subscriptionId: id, filter, maxBatch: 5 },
          (batch) => {
            if (batch.some((e) => countOf(e) === 7)) {
              failed.push(...batch);
              throw failure;
            }
          },
        );
        await expect(first.subscription.done).rejects.toBe(failure);
        expect(failed.map(countOf)).toContain(7);
        expect(await store.checkpoints().load(id)).toBe(first.events().at(-1)?.position);

        const restarted = await restart();
        const second = collectBatches((o) => restarted.subscribeToAll(o), { subscriptionId: id, filter });
        await eventually('the rest', () => first.events().length + second.events().length === 12);
        await second.subscription.stop();
        expect(second.events()[0]!.position).toBe(failed[0]!.position);
        expect([...first.events(), ...second.events()].map(countOf)).toEqual(sequence(12));
      }),
    );

    it(
      'hands a slow batch handler what arrived while it was busy in one batch',
      use(async ({ store }) => {
        const category = uniqueName('slow');
        const stream = uniqueStream(category);
        const filter = { categories: [category] };
        let release = (): void => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        let entered = 0;
        const slow = collectBatches(
          (o) => store.subscribeToAll(o),
          { subscriptionId: uniqueName('slow'), filter },
          async () => {
            if (entered++ === 0) await held;
          },
        );
        // An observer one event at a time tells when the events have reached subscribers.
        const observer = collect((o) => store.subscribeToAll(o), {
          subscriptionId: uniqueName('obs'),
          filter,
        });
        await eventually('catch-up', () => slow.caughtUp() > 0 && observer.caughtUp() > 0);
        await store.appendToStream(stream, [anEvent('Counted', { n: 0 })]);
        await eventually('the first batch under way', () => entered === 1);
        for (let n = 1; n <= 20; n++) await store.appendToStream(stream, [anEvent('Counted', { n })]);
        await eventually('the observer', () => observer.seen.length === 21);
        await new Promise((resolve) => setTimeout(resolve, 100));
        release();
        await eventually('every event', () => slow.events().length === 21);
        await Promise.all([slow.subscription.stop(), observer.subscription.stop()]);
        expect(slow.events().map(countOf)).toEqual(sequence(21));
        expect(slow.batches[0]!.map(countOf)).toEqual([0]);
        expect(slow.batches[1]!.length).toBeGreaterThan(1);
        expect(slow.batches.length).toBeLessThan(21);
      }),
    );

    it(
      "moves a batch subscriber's checkpoint past events its filter drops once it is idle",
      use(async ({ store }) => {
        const [wanted, dropped] = [uniqueName('Wanted'), uniqueName('Dropped')];
        const stream = uniqueStream(uniqueName('mixed'));
        await store.appendToStream(stream, [anEvent(wanted)]);
        const last = await store.appendToStream(stream, [
          anEvent(dropped),
          anEvent(dropped),
          anEvent(dropped),
        ]);
        const id = uniqueName('mixed');
        const sub = collectBatches((o) => store.subscribeToAll(o), {
          subscriptionId: id,
          filter: { eventTypes: [wanted] },
        });
        await eventually('caught up', () => sub.caughtUp() > 0 && sub.events().length === 1);
        await sub.subscription.stop();
        expect(await store.checkpoints().load(id)).toBeGreaterThanOrEqual(last.position);
      }),
    );

    it(
      'refuses a subscription with both handlers, or a batch limit below one',
      use(async ({ store }) => {
        const handleBatch = async (): Promise<void> => undefined;
        const handler = async (): Promise<void> => undefined;
        const both = {
          subscriptionId: uniqueName('bad'),
          handler,
          handleBatch,
        } as unknown as SubscribeOptions;
        expect(() => store.subscribeToAll(both)).toThrow(/either handler or handleBatch/);
        expect(() =>
          store.subscribeToAll({ subscriptionId: uniqueName('bad'), handleBatch, maxBatch: 0 }),
        ).toThrow(/maxBatch/);
      }),
    );

    it(
      'keeps checkpoints across store instances',
      use(async ({ store, restart }) => {
        const id = uniqueName('cp');
        expect(await store.checkpoints().load(id)).toBeUndefined();
        const appended = await store.appendToStream(uniqueStream('cp'), [anEvent('A'), anEvent('B')]);
        await store.checkpoints().store(id, appended.position);
        const restarted = await restart();
        expect(await restarted.checkpoints().load(id)).toBe(appended.position);
        await restarted.checkpoints().store(id, appended.position + 1n);
        expect(await restarted.checkpoints().load(id)).toBe(appended.position + 1n);
      }),
    );
  });
}
