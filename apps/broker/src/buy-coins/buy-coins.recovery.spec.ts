import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type AppendOptions,
  type AppendResult,
  DelegatingEventStore,
  InMemoryEventStore,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#event-store';
import { FixedClock } from '#platform';
import { SimulatedBank } from '../bank/simulated-bank.js';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { FaultyEventStore, LossyGateway } from '../test/faults.js';
import { buy, type TestCustomer } from '../test/scenario.js';
import type { CoinsPurchasedAnswer } from './buy-coins.command.js';
import { replayOf } from '../test/seeds.js';
import { WalletSeeds, walletSeedStream } from './wallet-seeds.js';

// A purchase interrupted anywhere is repaired by retrying it: charged once, chains issued once.
describe('purchase recovery (in-memory store, injected crashes)', () => {
  const clock = new FixedClock('2026-03-01T10:00:00.000Z');
  const memory = new InMemoryEventStore();
  const store = new FaultyEventStore(memory);
  const bank = new SimulatedBank(memory, clock, 1_000_000);
  const gateway = new LossyGateway(bank);
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store, clock, paymentGateway: gateway });
  });
  afterAll(() => broker.close());

  async function customer(balance: number): Promise<TestCustomer> {
    const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const opened = await bank.openAccount({ accountId: bankAccount, currency: 'NZD', balance });
    const bankMandate = opened ? opened.mandate : '';
    const res = await broker.http('POST', '/customers', {
      body: { name: 'Ada Reader', bankAccount, bankMandate },
    });
    return { ...res.json<{ customerId: string; token: string }>(), bankAccount };
  }

  const issuedCount = async (chainIds: readonly string[]): Promise<number> =>
    (await memory.readAll()).filter(
      (e) => e.type === 'ChainIssued' && chainIds.includes((e.data as { chainId: string }).chainId),
    ).length;

  it('the bank charged but its answer was lost: 503, and the retry is charged once', async () => {
    const c = await customer(1_000);
    gateway.loseNextAnswer();
    const lost = await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'lost-answer-01');
    expect(lost.status).toBe(503);
    expect(lost.json()).toMatchObject({ code: 'PAYMENT.UNAVAILABLE' });
    const retry = await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'lost-answer-01');
    expect(retry.status).toBe(201);
    expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 950, payments: 1 });
  });

  it('a charged purchase is not turned into a decline by another request under its key', async () => {
    const c = await customer(1_000);
    gateway.loseNextAnswer();
    expect((await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'lost-answer-02')).status).toBe(503);
    // Another body under the same key: the bank refuses the reused key; nothing may be recorded.
    const other = await buy(broker.http, c, { coins: 20, coinValue: 5 }, 'lost-answer-02');
    expect(other.status).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    // The first request's retry still completes what the bank charged.
    const retry = await buy(broker.http, c, { coins: 10, coinValue: 5 }, 'lost-answer-02');
    expect(retry.status).toBe(201);
    expect(retry.json<CoinsPurchasedAnswer>()).toMatchObject({ coins: 10, amount: 50 });
    expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 950, payments: 1 });
  });

  it.each(['client', 'server'] as const)(
    'a crash after the chains were issued (%s-side): the retry completes with the same chains, issued once',
    async (wallet) => {
      const c = await customer(1_000);
      store.failOnce(
        (stream, events) => stream.startsWith('purchase-') && events[0]?.type === 'CoinsPurchased',
      );
      const crashed = await buy(broker.http, c, { coins: 120, coinValue: 1, wallet }, `crash-${wallet}-01`);
      expect(crashed.status).toBe(500);
      const retry = await buy(broker.http, c, { coins: 120, coinValue: 1, wallet }, `crash-${wallet}-01`);
      expect(retry.status).toBe(201);
      const answer = retry.json<CoinsPurchasedAnswer>();
      const chainIds = answer.chains.map((ch) => ch.chainId);
      expect(await issuedCount(chainIds)).toBe(3);
      expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 880, payments: 1 });
      if (wallet === 'server') {
        for (const id of chainIds) expect(await memory.readStream(walletSeedStream(id))).toHaveLength(1);
      }
    },
  );

  it('keeps server-side seeds sealed: no seed appears in plain anywhere in the store', async () => {
    const c = await customer(1_000);
    const answer = (await buy(broker.http, c, { coins: 30, wallet: 'server' })).json<CoinsPurchasedAnswer>();
    const seeds = broker.app.get(WalletSeeds);
    const everything = JSON.stringify(
      (await memory.readAll()).map((e) => [e.streamName, e.data, e.metadata]),
    );
    for (const chain of answer.chains) {
      const wallet = await seeds.serverWallet(chain.chainId);
      expect(wallet?.customerId).toBe(c.customerId);
      expect(everything).not.toContain(wallet!.seed);
      const chainStream = JSON.stringify(
        (await memory.readStream(`chain-${chain.chainId}`)).map((e) => e.data),
      );
      expect(chainStream).not.toContain('sealedSeed');
    }
  });

  it('a new purchase is recorded with no read of its stream first; a retry reads what is stored', async () => {
    const c = await customer(1_000);
    const seen: string[] = [];
    // What the broker asks of the store about purchase streams, in order.
    class Watched extends DelegatingEventStore {
      override readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
        if (stream.startsWith('purchase-')) seen.push('read');
        return super.readStream(stream, options);
      }
      override appendToStream(
        stream: string,
        events: readonly NewEvent[],
        options?: AppendOptions,
      ): Promise<AppendResult> {
        if (stream.startsWith('purchase-')) seen.push(`append ${events[0]?.type}`);
        return super.appendToStream(stream, events, options);
      }
    }
    const watched = await startBroker({
      store: new Watched(memory),
      clock,
      config: broker.config,
      paymentGateway: bank,
    });
    try {
      const body = { coins: 10, coinValue: 5 };
      const first = await buy(watched.http, c, body, 'append-first-01');
      expect(first.status).toBe(201);
      expect(seen).toEqual(['append PurchaseRequested', 'append CoinsPurchased']);
      // The same request through another process (no Idempotency-Key record there), at the same
      // millisecond: it meets the stored purchase, answers it without the seeds, charges nothing.
      const retry = await buy(broker.http, c, body, 'append-first-01');
      expect(retry.status).toBe(201);
      expect(retry.json()).toEqual(replayOf(first.json()));
      expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 950, payments: 1 });
    } finally {
      await watched.close();
    }
  });

  it('a twin that recorded the outcome first wins: the answer is the stored outcome, recorded once', async () => {
    const c = await customer(1_000);
    // The same request in another broker process (its own clock), run to its end just before
    // this one appends its outcome.
    const twin = await startBroker({
      store: memory,
      clock: new FixedClock('2026-02-28T09:00:00.000Z'),
      config: broker.config,
      paymentGateway: bank,
    });
    try {
      const body = { coins: 10, coinValue: 5 };
      let twinAnswer: CoinsPurchasedAnswer | undefined;
      store.beforeNext(
        (stream, events) => stream.startsWith('purchase-') && events[0]?.type === 'CoinsPurchased',
        async () => {
          const res = await buy(twin.http, c, body, 'twin-recorded-01');
          twinAnswer = res.json<CoinsPurchasedAnswer>();
        },
      );
      const res = await buy(broker.http, c, body, 'twin-recorded-01');
      expect(res.status).toBe(201);
      const answer = res.json<CoinsPurchasedAnswer>();
      expect(answer.at).toBe('2026-02-28T09:00:00.000Z');
      // The twin's answer showed the seeds; this one, not the call that closed the purchase, does not.
      expect(answer).toEqual(replayOf(twinAnswer!));
      const outcomes = await memory.readStream(`purchase-${answer.purchaseId}`);
      // The request recorded before the charge, then one outcome.
      expect(outcomes.map((e) => e.type)).toEqual(['PurchaseRequested', 'CoinsPurchased']);
      outcomes.shift();
      expect(answer.position).toBe(outcomes[0]!.position.toString());
      expect(await bank.account(c.bankAccount)).toMatchObject({ balance: 950, payments: 1 });
    } finally {
      await twin.close();
    }
  });

  it.each(['client', 'server'] as const)(
    'a twin that issued the chain first (%s-side): both answer with the stored touchstone',
    async (wallet) => {
      const c = await customer(1_000);
      const twin = await startBroker({
        store: memory,
        clock: new FixedClock('2026-02-28T09:00:00.000Z'),
        config: broker.config,
        paymentGateway: bank,
      });
      try {
        const body = { coins: 10, coinValue: 5, wallet };
        let twinAnswer: CoinsPurchasedAnswer | undefined;
        store.beforeNext(
          (stream, events) => stream.startsWith('chain-') && events[0]?.type === 'ChainIssued',
          async () => {
            twinAnswer = (
              await buy(twin.http, c, body, `twin-issued-${wallet}`)
            ).json<CoinsPurchasedAnswer>();
          },
        );
        const res = await buy(broker.http, c, body, `twin-issued-${wallet}`);
        expect(res.status).toBe(201);
        const answer = res.json<CoinsPurchasedAnswer>();
        expect(answer).toEqual(replayOf(twinAnswer!));
        const chain = answer.chains[0]!;
        const stored = await memory.readStream(`chain-${chain.chainId}`);
        expect(stored).toHaveLength(1);
        expect((stored[0]!.data as { touchstone: unknown }).touchstone).toEqual(chain.touchstone);
        if (wallet === 'server')
          expect(await memory.readStream(walletSeedStream(chain.chainId))).toHaveLength(1);
      } finally {
        await twin.close();
      }
    },
  );
});
