import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store.port.js';
import { anEvent, eventually, type EventStoreContractSubject, uniqueStream } from './harness.js';

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
        const [chain1, chain2, purchase] = [
          uniqueStream('chain'),
          uniqueStream('chain'),
          uniqueStream('purchase'),
        ];
        await store.appendToStream(chain1, [anEvent('ChainIssued'), anEvent('PaywordSpent')]);
        await store.appendToStream(purchase, [anEvent('PurchasePaid')]);
        const byCategory = collect((o) => store.subscribeToAll(o), {
          subscriptionId: `cat-${randomUUID()}`,
          filter: { categories: ['chain'] },
        });
        const byType = collect((o) => store.subscribeToAll(o), {
          subscriptionId: `type-${randomUUID()}`,
          filter: { eventTypes: ['PaywordSpent', 'PurchasePaid'] },
        });
        const both = collect((o) => store.subscribeToAll(o), {
          subscriptionId: `both-${randomUUID()}`,
          filter: { categories: ['chain'], eventTypes: ['PaywordSpent'] },
        });
        await eventually(
          'catch-up',
          () => byCategory.caughtUp() > 0 && byType.caughtUp() > 0 && both.caughtUp() > 0,
        );
        await store.appendToStream(chain2, [anEvent('ChainIssued'), anEvent('PaywordSpent')]);
        await store.appendToStream(purchase, [anEvent('PurchaseRefunded'), anEvent('PurchasePaid')]);
        await eventually('live events', () => byType.seen.length === 4 && byCategory.seen.length === 4);
        await eventually('live events', () => both.seen.length === 2);
        const names = (seen: RecordedEvent[]): string[] => seen.map((e) => `${e.streamName}:${e.type}`);
        expect(names(byCategory.seen)).toEqual([
          `${chain1}:ChainIssued`,
          `${chain1}:PaywordSpent`,
          `${chain2}:ChainIssued`,
          `${chain2}:PaywordSpent`,
        ]);
        expect(names(byType.seen)).toEqual([
          `${chain1}:PaywordSpent`,
          `${purchase}:PurchasePaid`,
          `${chain2}:PaywordSpent`,
          `${purchase}:PurchasePaid`,
        ]);
        expect(names(both.seen)).toEqual([`${chain1}:PaywordSpent`, `${chain2}:PaywordSpent`]);
        await Promise.all([byCategory, byType, both].map((s) => s.subscription.stop()));
        await expect(byType.subscription.done).resolves.toBeUndefined();
      }),
    );

    it(
      'resumes a stopped or crashed subscriber from its checkpoint, skipping nothing and applying nothing twice',
      use(async ({ store, restart }) => {
        const stream = uniqueStream('resume');
        for (let n = 0; n < 12; n++) await store.appendToStream(stream, [anEvent('Counted', { n })]);
        const id = `resume-${randomUUID()}`;
        const applied: number[] = [];
        const count = (e: RecordedEvent): number => (e.data as { n: number }).n;

        // 1. Stopped cleanly after the 4th event.
        const first = collect(
          (o) => store.subscribeToAll(o),
          { subscriptionId: id },
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
          { subscriptionId: id },
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
          { subscriptionId: id },
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
      'keeps checkpoints across store instances',
      use(async ({ store, restart }) => {
        const id = `cp-${randomUUID()}`;
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
