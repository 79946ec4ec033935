import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { GlobalPosition, SubscriptionFilter } from '../event-store.port.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { Feed, FeedItem } from '../shared/subscription-runner.js';
import { categorySubject, type ResolvedJetStreamConfig } from './jetstream-config.js';
import { translate } from './jetstream-errors.js';
import { eventOrSkip, H, streamOfSubject } from './jetstream-codec.js';
import { streamTypeFilter } from '../shared/filter.js';
import { storedOf } from './jetstream-reader.js';

/** How often an idle consumer hears from the server; also how late an idle caught-up mark can be. */
const IDLE_HEARTBEAT_MS = 1_000;

/**
 * A live feed after `after` through an ordered consumer (it recreates itself
 * after reconnects and gaps). A single category is filtered by the server,
 * anything else by the runner. Caught up: when a delivery says nothing is
 * pending, when it reaches the stream's head as of opening, or when the
 * server sends an idle heartbeat after everything it delivered was passed on.
 */
export async function openJetStreamFeed(
  js: JetStreamClient,
  jsm: JetStreamManager,
  config: ResolvedJetStreamConfig,
  after: GlobalPosition | undefined,
  filter: SubscriptionFilter | undefined,
): Promise<Feed> {
  const only = filter?.categories?.length === 1 ? filter.categories[0] : undefined;
  const startSeq = Number(after ?? 0n) + 1;
  const headSeq = (await jsm.streams.info(config.streamName)).state.last_seq;
  const consumer = await js.consumers.get(config.streamName, {
    filter_subjects: only ? categorySubject(config, only) : `${config.subjectPrefix}.>`,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: startSeq,
  });
  const messages = await consumer.consume({
    max_messages: 256,
    expires: 10 * IDLE_HEARTBEAT_MS,
    idle_heartbeat: IDLE_HEARTBEAT_MS,
  });
  const queue = new AsyncQueue<FeedItem>(1_000);
  // One mark per idle spell: none again until an event has been delivered since the last.
  let marked = false;
  /** Consumer sequence of the last message passed on (the ordered consumer restarts it at 1 when recreated). */
  let delivered = 0;
  const caughtUp = (): void => {
    if (marked) return;
    marked = true;
    queue.push({ kind: 'caught-up' });
  };
  if (headSeq < startSeq) caughtUp();

  // What the server does not filter (several categories, event types) is dropped here from the
  // subject and the type header, before the body is parsed: a broker subscription that wants a
  // few types of three categories would otherwise parse every event of the log.
  const passes = filter && !(only && !filter.eventTypes?.length) ? streamTypeFilter(filter) : undefined;
  void (async () => {
    try {
      for await (const m of messages) {
        delivered = m.info.deliverySequence;
        if (passes && !passes(streamOfSubject(m.subject), m.headers?.get(H.type))) {
          queue.push({ kind: 'passed', position: BigInt(m.seq) });
          marked = false;
        } else {
          // A message that is not a NetPay event (a raw publish to a writable subject) is skipped.
          const event = eventOrSkip(storedOf(m));
          if (event) {
            queue.push({ kind: 'event', event });
            marked = false;
          }
        }
        if (m.info.pending === 0 || m.seq >= headSeq) caughtUp();
        await queue.room();
      }
      queue.end();
    } catch (error) {
      queue.fail(translate(error, 'subscription'));
    }
  })();
  void (async () => {
    for await (const status of messages.status()) {
      // The server only sends an idle heartbeat when it has had nothing to deliver for a while.
      // Everything the server has delivered has been passed on when the sequences agree.
      if (status.type === 'heartbeat' && status.lastConsumerSequence === delivered) caughtUp();
      if (status.type === 'ordered_consumer_recreated') delivered = 0;
    }
  })();

  return {
    [Symbol.asyncIterator]: () => queue.chunks(),
    close: async () => {
      queue.end();
      await messages.close();
      await consumer.delete().catch(() => undefined);
    },
  };
}
