import { createSecretKey, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore } from '#event-store/testing';
import { SystemClock } from '#platform';
import { SimulatedBank } from '../bank/simulated-bank.js';
import { OperatorBilling } from './operator-billing.js';
import { operatorStream } from './operator-billing.events.js';

/**
 * The operator's ledger on real JetStream, written as the broker's NATS identity: two SP replicas
 * (two OperatorBilling instances on two connections) charge one account at once; optimistic
 * concurrency keeps the balance exact and each idempotency key booked once.
 */
describe('OperatorBilling on JetStream (two replicas, the broker identity)', () => {
  const unique = randomUUID().replaceAll('-', '').slice(0, 12);
  const config = { streamName: `TEST_OPBILL_${unique}`, subjectPrefix: `test.opbill${unique}.events` };
  let a: JetStreamEventStore;
  let b: JetStreamEventStore;
  const key = createSecretKey(Buffer.alloc(32, 9));
  const replica = (store: JetStreamEventStore): OperatorBilling =>
    new OperatorBilling(
      store,
      new SystemClock(),
      new SimulatedBank(store, new SystemClock(), 1_000_000),
      key,
    );

  beforeAll(async () => {
    a = await connectTestStore(config, 'broker');
    b = await connectTestStore(config, 'broker');
  });
  afterAll(async () => {
    await a.deleteStreams().catch(() => undefined);
    await Promise.all([a.close(), b.close()]);
  });

  it('concurrent charges from two replicas: exact balance, each key booked once, retries answer alike', async () => {
    const [one, two] = [replica(a), replica(b)];
    await one.open({ msisdn: '+64218000001', plan: 'prepaid', currency: 'NZD', balance: 1_000 });
    const id = one.accountIdOf('+64218000001');
    expect(two.accountIdOf('+64218000001')).toBe(id);
    const charge = (n: number) => ({
      account: id,
      amount: 150,
      currency: 'NZD',
      idempotencyKey: `k${n}`,
      reference: `pur_${n}`,
    });
    // Keys 0..9, each sent to both replicas: 6 fit in the balance, each booked once.
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => [one.charge(charge(n)), two.charge(charge(n))]).flat(),
    );
    for (let n = 0; n < 10; n++) expect(results[2 * n]).toEqual(results[2 * n + 1]);
    const booked = results.filter((r, i) => i % 2 === 0 && r.ok);
    expect(booked).toHaveLength(6);
    expect(results.filter((r) => !r.ok && r.reason === 'prepaid-balance-insufficient')).toHaveLength(8);
    expect(await two.view(id)).toMatchObject({ balance: 100, charged: 900 });
    const recorded = await a.readStream(operatorStream(id));
    expect(recorded.filter((r) => r.type === 'OperatorChargeBooked')).toHaveLength(6);
    expect(recorded.filter((r) => r.type === 'OperatorChargeDeclined')).toHaveLength(4);
    // A replica that restarts (a fresh instance) answers a retry from the ledger, charging nothing.
    const restarted = replica(b);
    expect(await restarted.charge(charge(0))).toEqual(results[0]);
    expect(await restarted.view(id)).toMatchObject({ balance: 100 });
  }, 60_000);
});
