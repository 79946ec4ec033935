import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { FixedClock } from '#platform';
import { hashToken } from '../customer/customer-token.js';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { FaultyEventStore } from '../test/faults.js';
import { buy, openBankAccount } from '../test/scenario.js';

// Registration is idempotent by its derived customer id, whoever gets there first.
describe('registering a customer (in-memory store)', () => {
  const memory = new InMemoryEventStore();
  const store = new FaultyEventStore(memory);
  let broker: TestBroker;
  let twin: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store, clock: new FixedClock('2026-03-01T10:00:00.000Z') });
    // The same broker in another process (its own Idempotency-Key records and clock).
    twin = await startBroker({
      store: memory,
      clock: new FixedClock('2026-03-01T10:00:01.000Z'),
      config: broker.config,
    });
  });
  afterAll(async () => {
    await twin.close();
    await broker.close();
  });

  it('a twin that registered first keeps the only working token; this request is refused', async () => {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000);
    const body = { name: 'Ada Reader', bankAccount, bankMandate };
    let twinToken = '';
    store.beforeNext(
      (stream, events) => stream.startsWith('customer-') && events[0]?.type === 'CustomerRegistered',
      async () => {
        const res = await twin.http('POST', '/customers', { body, key: 'register-twin-01' });
        expect(res.status).toBe(201);
        twinToken = res.json<{ token: string }>().token;
      },
    );
    const res = await broker.http('POST', '/customers', { body, key: 'register-twin-01' });
    expect(res.status).toBe(409);
    expect(res.json()).toMatchObject({ code: 'CUSTOMER.ALREADY_REGISTERED' });

    const customerId = twinToken.split('.')[1]!;
    const stored = await memory.readStream(`customer-${customerId}`);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.data).toMatchObject({ tokenHash: hashToken(twinToken) });
    const bought = await buy(broker.http, { customerId, token: twinToken, bankAccount }, { coins: 2 });
    expect(bought.status).toBe(201);
  });

  it('registers once: a retry after the Idempotency-Key record was lost is refused', async () => {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000);
    const body = { name: 'Ada Reader', bankAccount, bankMandate };
    expect((await broker.http('POST', '/customers', { body, key: 'register-once-02' })).status).toBe(201);
    // The twin has no record of the key: as a retry that lost its Redis record.
    const again = await twin.http('POST', '/customers', { body, key: 'register-once-02' });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ code: 'CUSTOMER.ALREADY_REGISTERED' });
  });
});
