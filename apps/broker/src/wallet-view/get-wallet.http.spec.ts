import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { buy, registerCustomer, type TestCustomer } from '../test/scenario.js';

// A client names the position it wants to read after; it cannot make the broker wait for nothing.
describe('GET /wallet?minPosition (in-memory)', () => {
  let broker: TestBroker;
  let customer: TestCustomer;

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore() });
    customer = await registerCustomer(broker.http, 1_000);
  });
  afterAll(() => broker.close());

  it.each(['1000000000', '99999999999999999999'])(
    'refuses minPosition=%s, beyond every event in the store, at once with 400 PROJECTION.POSITION_AHEAD',
    async (minPosition) => {
      const res = await broker.http('GET', `/wallet?minPosition=${minPosition}`, { token: customer.token });
      expect(res.status).toBe(400);
      expect(res.json()).toMatchObject({ code: 'PROJECTION.POSITION_AHEAD', minPosition });
    },
  );

  it('answers a position an answer carried, including what it names', async () => {
    const bought = await buy(broker.http, customer, { coins: 4, coinValue: 5 });
    const { position } = bought.json<{ position: string }>();
    const res = await broker.http('GET', `/wallet?minPosition=${position}`, { token: customer.token });
    expect(res.status).toBe(200);
    const wallet = res.json<{ position: string; chains: unknown[] }>();
    expect(BigInt(wallet.position)).toBeGreaterThanOrEqual(BigInt(position));
    expect(wallet.chains).toHaveLength(1);
  });
});
