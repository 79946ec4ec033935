import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { subjects, type WalletCheckoutReply } from '#contracts';
import { categoryOf } from '#events';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { startBroker, type TestBroker } from './broker-harness.js';
import { type IntStack, intStack } from './int-stack.js';
import {
  authoriseVendor,
  buy,
  registerCustomer,
  registerVendor,
  signedCheckout,
  type TestCustomer,
} from './scenario.js';
import { hashToken } from '../customer/customer-token.js';

// DESIGN §5.5: vendors never see customer identity. A whole scenario runs against real servers,
// then every chain-stream event and every NATS reply is scanned for anything that names a customer.
describe('no customer identity reaches a chain stream or a vendor', () => {
  let stack: IntStack;
  let broker: TestBroker;
  const customers: TestCustomer[] = [];
  const purchaseIds: string[] = [];

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({
      store: stack.store,
      config: stack.config,
      idempotency: 'redis',
      nats: true,
    });
    const keyA = await registerVendor(broker.http, 'anon_vendor_a');
    const keyB = await registerVendor(broker.http, 'anon_vendor_b');
    for (const wallet of ['client', 'server'] as const) {
      const customer = await registerCustomer(broker.http);
      customers.push(customer);
      const bought = (await buy(broker.http, customer, { coins: 70, wallet })).json<CoinsPurchasedAnswer>();
      purchaseIds.push(bought.purchaseId);
      for (const chain of bought.chains) await stack.request(subjects.touchstone, { chainId: chain.chainId });
      const token = await authoriseVendor(broker.http, customer, 'anon_vendor_a');
      await stack.request<WalletCheckoutReply>(
        subjects.walletCheckout,
        signedCheckout(keyA, 'anon_vendor_a', token, 10),
      );
      await stack.request(subjects.walletCheckout, signedCheckout(keyB, 'anon_vendor_b', token, 10));
    }
    await stack.request(subjects.brokerKeys, {});
    await stack.request(subjects.vendorKeys, { vendorId: 'anon_vendor_a' });
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  function secretsOf(customer: TestCustomer): string[] {
    return [
      customer.customerId,
      customer.token,
      hashToken(customer.token),
      customer.bankAccount,
      'Ada Reader',
    ];
  }

  it('the scenario produced chain events and vendor replies to scan', async () => {
    const chainEvents = (await stack.store.readAll()).filter((e) => categoryOf(e.streamName) === 'chain');
    expect(chainEvents.map((e) => e.type)).toEqual(
      expect.arrayContaining(['ChainIssued', 'WalletCheckedOut']),
    );
    expect(stack.replies.filter((r) => (r as { ok: boolean }).ok).length).toBeGreaterThanOrEqual(6);
  });

  it('no chain-stream event (data or metadata) names a customer, their account or their purchase', async () => {
    const chainEvents = (await stack.store.readAll()).filter((e) => categoryOf(e.streamName) === 'chain');
    const text = JSON.stringify(
      chainEvents.map((e) => ({ stream: e.streamName, data: e.data, metadata: e.metadata })),
    );
    for (const secret of [...customers.flatMap(secretsOf), ...purchaseIds])
      expect(text).not.toContain(secret);
  });

  it('no NATS reply names a customer, their account or their purchase', () => {
    const text = JSON.stringify(stack.replies);
    for (const secret of [...customers.flatMap(secretsOf), ...purchaseIds])
      expect(text).not.toContain(secret);
  });
});
