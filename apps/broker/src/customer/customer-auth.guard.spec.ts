import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore, type ReadStreamOptions, type RecordedEvent } from '#event-store';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { buy, openBankAccount, registerCustomer, type TestCustomer } from '../test/scenario.js';

/** Counts reads per stream. */
class CountingStore extends InMemoryEventStore {
  readonly reads = new Map<string, number>();

  override readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    this.reads.set(stream, (this.reads.get(stream) ?? 0) + 1);
    return super.readStream(stream, options);
  }
}

describe('customer bearer tokens at the door (in-memory)', () => {
  const store = new CountingStore();
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store });
  });
  afterAll(() => broker.close());

  const forged = (c: TestCustomer): string => `npc.${c.customerId}.${'A'.repeat(43)}`;

  it('knows a customer registered here without reading it; later requests are checked against it', async () => {
    const c = await registerCustomer(broker.http, 1_000);
    for (let i = 0; i < 3; i++) {
      expect((await buy(broker.http, c, { coins: 2, coinValue: 5 })).status).toBe(201);
    }
    expect(store.reads.get(`customer-${c.customerId}`) ?? 0).toBe(0);
    // The kept identity holds the customer's own account: each buy charged it.
    const account = await broker.http('GET', `/bank/accounts/${c.bankAccount}`, { token: ADMIN_TOKEN });
    expect(account.json()).toMatchObject({ balance: 1_000 - 30 });
  });

  it('reads a customer registered by another process once, then keeps it', async () => {
    const other = await startBroker({ store, config: broker.config });
    try {
      const c = await registerCustomer(other.http, 1_000);
      for (let i = 0; i < 3; i++) {
        expect((await buy(broker.http, c, { coins: 2, coinValue: 5 })).status).toBe(201);
      }
      expect(store.reads.get(`customer-${c.customerId}`)).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('refuses another token naming a known customer, and an unknown customer every time', async () => {
    const c = await registerCustomer(broker.http, 1_000);
    expect((await buy(broker.http, c)).status).toBe(201); // now kept
    const wrong = await buy(broker.http, { ...c, token: forged(c) });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toMatchObject({ code: 'CUSTOMER.UNAUTHORISED' });

    const ghost = { ...c, customerId: 'cus_ghost' };
    const token = forged(ghost);
    for (let i = 0; i < 2; i++) {
      expect((await buy(broker.http, { ...ghost, token })).status).toBe(401);
    }
    expect(store.reads.get('customer-cus_ghost')).toBe(2);
  });

  it('admits a customer registered after a request had named it while it did not exist', async () => {
    // An id looked up before the customer existed is not remembered as absent.
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const key = `register-${randomUUID()}`;
    const customerId = broker.app.get(BrokerSecrets).id('cus', 'register', key, 'Ada Reader', bankAccount);
    const early = { customerId, bankAccount, token: `npc.${customerId}.${'A'.repeat(43)}` };
    expect((await buy(broker.http, early)).status).toBe(401);

    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000);
    const res = await broker.http('POST', '/customers', {
      body: { name: 'Ada Reader', bankAccount, bankMandate },
      key,
    });
    expect(res.json()).toMatchObject({ customerId });
    const c = { ...early, token: res.json<{ token: string }>().token };
    expect((await buy(broker.http, c)).status).toBe(201);
    expect((await buy(broker.http, early)).status).toBe(401);
  });
});
