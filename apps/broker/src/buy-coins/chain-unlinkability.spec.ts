import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { ManualClock } from '#platform';
import type { Touchstone } from '#protocol';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { buy, registerCustomer } from '../test/scenario.js';
import { chainValidity } from './chain-issuer.js';

type Bought = { chains: { chainId: string; touchstone: Touchstone }[] };

// The chains of one purchase must not be linkable by their timestamps: vendors see touchstones.
describe('chains of one purchase carry no linking timestamp (in-memory)', () => {
  const clock = new ManualClock('2026-03-10T13:37:42.123Z');
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore(), clock });
  });
  afterAll(() => broker.close());

  it('stamps every chain with its UTC day, as any other purchase of that day with that lifetime', async () => {
    const ada = await registerCustomer(broker.http, 10_000);
    const bob = await registerCustomer(broker.http, 10_000);
    const mine = (await buy(broker.http, ada, { coins: 120, coinValue: 5 })).json<Bought>().chains;
    clock.advance(3 * 3_600_000 + 17_000); // another purchase, hours later the same day
    const theirs = (await buy(broker.http, bob, { coins: 10, coinValue: 5 })).json<Bought>().chains;
    expect(mine.length).toBeGreaterThan(1); // CHAIN_MAX_LENGTH 50 splits the purchase
    const stamps = (chains: Bought['chains']) =>
      chains.map((c) => `${c.touchstone.issuedAt} ${c.touchstone.expiresAt}`);
    // One purchase's chains share their stamps with every chain of the day: no instant to link by.
    expect(new Set([...stamps(mine), ...stamps(theirs)])).toEqual(
      new Set(['2026-03-10T00:00:00.000Z 2026-06-09T00:00:00.000Z']),
    );
  });

  it('gives at least the lifetime asked, and at most a day more', () => {
    for (const at of ['2026-03-10T00:00:00.000Z', '2026-03-10T23:59:59.999Z', '2026-12-31T12:00:00.000Z']) {
      const now = new Date(at);
      const { issuedAt, expiresAt } = chainValidity(now, 1);
      expect(Date.parse(issuedAt)).toBeLessThanOrEqual(now.getTime());
      const lifetime = Date.parse(expiresAt) - now.getTime();
      expect(lifetime).toBeGreaterThanOrEqual(86_400_000);
      expect(lifetime).toBeLessThanOrEqual(2 * 86_400_000);
    }
  });
});
