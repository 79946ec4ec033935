import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port.js';
import { anEvent, eventually, type EventStoreContractSubject, uniqueName, uniqueStream } from './harness.js';

type Use = (test: (subject: EventStoreContractSubject) => Promise<void>) => () => Promise<void>;

/** Subscribes and collects events; `handle` may throw or stop on the way. */
function collect(
  subscribe: (options: SubscribeOptions) => Subscription,
  options: Omit<SubscribeOptions, 'handler'>,
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
