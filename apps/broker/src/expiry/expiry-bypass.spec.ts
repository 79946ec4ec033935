import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { ManualClock } from '#platform';
import type { PublicKeyRecord } from '#protocol';
import { newWalletNonce } from '#wallet';
import { Audit } from '../../../auditor/src/core/audit.js';
import { replayStore } from '../../../auditor/src/cli/replay.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { startBroker, testBrokerConfig, type TestBroker } from '../test/broker-harness.js';
import { bankBalance, buy, registerCustomer, type TestCustomer } from '../test/scenario.js';
import { ExpirySweeper } from './expiry.sweeper.js';

// Once a chain has expired, its unspent value is the broker's EXPIRY_POLICY's to settle: a cash-out
// or a re-issue after the expiry (before the sweeper came by, or racing it) must not refund what
// the policy keeps, nor give the expired coins a new life as a fresh chain.
describe.each(['keep', 'refund'] as const)(
  'after the expiry, EXPIRY_POLICY=%s: no cash-out or re-issue around the policy',
  (policy) => {
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const store = new InMemoryEventStore();
    let broker: TestBroker;
    let sweeper: ExpirySweeper;
    let customer: TestCustomer;
    const chainIds: string[] = [];

    beforeAll(async () => {
      const config = testBrokerConfig({
        EXPIRY_POLICY: policy,
        EXPIRY_SWEEP_INTERVAL: '0',
        EXPIRY_GRACE: '10m',
      });
      broker = await startBroker({ store, clock, config });
      sweeper = broker.app.get(ExpirySweeper);
      customer = await registerCustomer(broker.http, 1_000);
      const answer = (
        await buy(broker.http, customer, { coins: 10, coinValue: 5, walletNonce: newWalletNonce() })
      ).json<CoinsPurchasedAnswer>();
      const again = (
        await buy(broker.http, customer, { coins: 10, coinValue: 5, walletNonce: newWalletNonce() })
      ).json<CoinsPurchasedAnswer>();
      chainIds.push(answer.chains[0]!.chainId, again.chains[0]!.chainId);
      // Both expired a minute ago: within the grace, the sweeper has not settled them yet.
      const expiresAt = Date.parse(answer.chains[0]!.touchstone.expiresAt);
      clock.advance(expiresAt - clock.now().getTime() + 60_000);
    });
    afterAll(() => broker.close());

    it('refuses a cash-out of an expired chain with CHAIN.EXPIRED, and changes nothing', async () => {
      const chainId = chainIds[0]!;
      const res = await broker.http('POST', `/chains/${chainId}/cash-out`, { token: customer.token });
      expect(res.status).toBe(410);
      expect(res.json()).toMatchObject({ code: 'CHAIN.EXPIRED' });
      expect(await bankBalance(broker.http, customer.bankAccount)).toBe(900);
      expect((await store.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);
    });

    it('refuses a re-issue of an expired chain with CHAIN.EXPIRED: no new chain, nothing closed', async () => {
      const chainId = chainIds[1]!;
      const res = await broker.http('POST', `/chains/${chainId}/reissue`, { token: customer.token });
      expect(res.status).toBe(410);
      expect(res.json()).toMatchObject({ code: 'CHAIN.EXPIRED' });
      expect((await store.readStream(streams.chain(chainId))).map((e) => e.type)).toEqual(['ChainIssued']);
      const linked = (await store.readStream(streams.customer(customer.customerId))).filter(
        (e) => e.type === 'ChainReissued',
      );
      expect(linked).toHaveLength(0);
    });

    it(`the sweeper then settles both by the policy (${policy}), and the auditor finds the ledger balanced`, async () => {
      clock.advance(3_600_000);
      expect(await sweeper.sweep()).toBe(2);
      expect(await bankBalance(broker.http, customer.bankAccount)).toBe(policy === 'refund' ? 1_000 : 900);
      const { keys } = (await broker.http('GET', '/keys')).json<{ keys: PublicKeyRecord[] }>();
      const audit = new Audit({ brokerKeys: keys });
      await replayStore(store, audit, { pageSize: 100 });
      const report = audit.finish();
      expect(report.violationsByRule).toEqual({});
      expect(report.money.NZD).toMatchObject({ customerPayments: 100, expiredSettled: 100, refunded: 0 });
    });
  },
);
