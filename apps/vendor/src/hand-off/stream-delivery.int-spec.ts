import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { AckPolicy, DeliverPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects } from '#contracts';
import { anEvent, connectTestStore, eventually, testNatsOptions } from '#event-store/testing';
import { NatsHandOffServer } from './nats-hand-off.js';

// A party allowed to create stream consumers (every reader is: reads use short-lived consumers)
// can aim a push consumer's deliver_subject at a vendor's hand-off subject, and nats-server then
// replays the stored events onto it, publish rights or not; a direct get with that subject as its
// reply does the same for one message. The vendor must not serve them.
const unique = randomUUID().replaceAll('-', '').slice(0, 10);
const streamName = `TEST_DELIVERY_${unique}`;
const subjectPrefix = `delivery${unique}.events`;
const vendorId = `sd${unique}`;
const open: NatsConnection[] = [];
afterAll(async () => {
  for (const nc of open) await nc.close();
});

describe("a stream's deliveries aimed at a vendor's hand-off subject", () => {
  it('are dropped unread, while hand-off requests are still answered', async () => {
    const store = await connectTestStore({ streamName, subjectPrefix });
    for (let i = 0; i < 3; i++) await store.appendToStream('chain-x', [anEvent('TestEvent', { n: i })]);
    await store.close();
    const nc = await connect({ ...testNatsOptions('test'), name: 'delivery-test' });
    open.push(nc);
    const served: unknown[] = [];
    const server = new NatsHandOffServer(nc, vendorId, (body) => {
      served.push(body);
      return Promise.resolve({ ok: false, error: { code: 'TEST.SERVED', message: 'served' } });
    });
    server.start();
    // What reaches the subject, to show the deliveries did arrive.
    let arrived = 0;
    nc.subscribe(subjects.handOff(vendorId), {
      callback: () => {
        arrived += 1;
      },
    });
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.add(streamName, {
      deliver_subject: subjects.handOff(vendorId),
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    await eventually('the three deliveries', () => arrived >= 3);
    // A direct get whose reply subject is the hand-off subject: the server answers the stored
    // message there (headers, no reply subject).
    const before = arrived;
    nc.publish(`$JS.API.DIRECT.GET.${streamName}`, JSON.stringify({ seq: 1 }), {
      reply: subjects.handOff(vendorId),
    });
    await eventually('the direct get answer', () => arrived > before);
    await nc.flush();
    expect(served).toEqual([]);

    const answer = await nc.request(subjects.handOff(vendorId), JSON.stringify({ chainId: 'c' }), {
      timeout: 5_000,
    });
    expect(answer.json()).toMatchObject({ ok: false, error: { code: 'TEST.SERVED' } });
    expect(served).toEqual([{ chainId: 'c' }]);
    await server.stop();
  });
});
