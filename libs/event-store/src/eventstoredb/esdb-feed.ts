import { type EventStoreDBClient, START } from '@eventstore/db-client';
import type { GlobalPosition, SubscriptionFilter } from '../event-store.port.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { Feed, FeedItem } from '../shared/subscription-runner.js';
import { decodeEvent, isNetPayEvent, toEsdbPosition, toGlobalPosition } from './esdb-codec.js';
import type { ResolvedEventStoreDbConfig } from './esdb-config.js';
import { translate } from './esdb-errors.js';
import { headOfAll, serverFilter } from './esdb-reads.js';

/**
 * A catch-up subscription to $all after `after` (ESDB starts strictly after
 * the given position). It is live once the server says `caughtUp` (ESDB
 * 23.10+ / KurrentDB) or once it has passed the head of $all as of opening;
 * from then on every delivery is followed by a caught-up mark.
 */
export async function openFeed(
  client: EventStoreDBClient,
  config: ResolvedEventStoreDbConfig,
  after: GlobalPosition | undefined,
  filter: SubscriptionFilter | undefined,
): Promise<Feed> {
  const head = await headOfAll(client, config);
  let live = after !== undefined ? after >= head : head < 0n;
  const queue = new AsyncQueue<FeedItem>(1_000, {
    pause: () => subscription.pause(),
    resume: () => subscription.resume(),
  });
  const reached = (position: bigint): void => {
    if (!live && position >= head) live = true;
    if (live) queue.push({ kind: 'caught-up' });
  };
  const subscription = client.subscribeToAll({
    fromPosition: after === undefined ? START : toEsdbPosition(after),
    resolveLinkTos: false,
    filter: serverFilter(filter, config, (position) => reached(toGlobalPosition(position))),
  });
  subscription.on('data', (resolved) => {
    if (!resolved.event?.position) return;
    if (isNetPayEvent(resolved, config.checkpointCategory)) {
      try {
        queue.push({ kind: 'event', event: decodeEvent(resolved) });
      } catch (error) {
        queue.fail(translate(error, 'decode event'));
        return;
      }
    }
    reached(toGlobalPosition(resolved.event.position));
  });
  subscription.on('caughtUp', () => {
    live = true;
    queue.push({ kind: 'caught-up' });
  });
  subscription.on('fellBehind', () => (live = false));
  subscription.on('error', (error) => queue.fail(translate(error, 'subscription')));
  subscription.on('end', () => queue.end());
  if (live) queue.push({ kind: 'caught-up' });
  return {
    [Symbol.asyncIterator]: () => queue.chunks(),
    close: async () => {
      queue.end();
      await subscription.unsubscribe().catch(() => undefined);
    },
  };
}
