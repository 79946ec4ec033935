import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects } from '#contracts';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, testNatsIdentity } from '#event-store/testing';
import { streams } from '#events';
import { createSigner, generateChain, generateSigningKey, signRevocationNotice, type Chain } from '#protocol';
import { BrokerKeyRing } from '../../broker/src/keys/broker-key-ring.js';
import { ADMIN_TOKEN } from '../../broker/src/test/broker-harness.js';
import { buy, registerCustomer, type TestCustomer } from '../../broker/src/test/scenario.js';
import { type BrokeredVendor, RealBrokerStack } from '../test/real-broker-stack.js';

const pay = (chain: Chain, index: number, coins: number) => {
  const position = index + coins - 1;
  return { 'x-netpay-payment': `${chain.chainId}.${position}.${chain.payword(position)}` };
};

async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Bought = { chains: { chainId: string; length: number; seed: string }[] };

/**
 * Issue 20 item 5, customer side, on a real nats-server with every party's own rights: the
 * operator revokes a customer; the broker signs it, revokes the customer's open chain (the vendor
 * refuses it at once) and refuses its purchases; a lift forged by a vendor (in the store or on the
 * bus) changes nothing; the operator's lift lets it buy again while the revoked chain stays revoked.
 */
describe('fraud response: a customer revoked by the operator (real broker, vendor, NATS rights)', () => {
  let stack: RealBrokerStack;
  let vendor: BrokeredVendor;
  let vendorStore: JetStreamEventStore;
  let vendorNats: NatsConnection;
  let customer: TestCustomer;
  let chain: Chain;

  beforeAll(async () => {
    stack = await RealBrokerStack.start();
    vendor = await stack.vendor('news_a');
    await vendor.registration.done;
    vendorStore = await connectTestStore(
      {
        servers: stack.nats.url,
        streamName: `TEST_VB_${stack.unique}`,
        subjectPrefix: `test.vb${stack.unique}.events`,
      },
      'vendor-news_a',
    );
    vendorNats = await connect({ ...testNatsIdentity('vendor-news_a'), servers: stack.nats.url });
    customer = await registerCustomer(stack.broker.http, 100_000);
    const c = (await buy(stack.broker.http, customer, { coins: 40 })).json<Bought>().chains[0]!;
    chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
  });
  afterAll(async () => {
    await vendorNats?.close();
    await vendorStore?.close();
    await stack.dispose();
  });

  const standing = async () =>
    (
      await stack.broker.http('GET', `/customers/${customer.customerId}/standing`, { token: ADMIN_TOKEN })
    ).json<{ status: string }>();
  const customerEvents = async () =>
    (await stack.store.readStream(streams.customer(customer.customerId))).map((e) => e.type);

  it('revokes the customer: its chain is revoked and refused by the vendor, its purchases refused with 403', async () => {
    expect((await vendor.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);

    const key = randomUUID();
    const revoke = () =>
      stack.broker.http('POST', `/customers/${customer.customerId}/revoke`, {
        token: ADMIN_TOKEN,
        key,
        body: { reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT', evidence: ['case_42'] },
      });
    const res = await revoke();
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      customerId: customer.customerId,
      status: 'revoked',
      reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT',
      chainsRevoked: [chain.chainId],
      notice: { kind: 'customer', id: customer.customerId, reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT' },
    });
    // A retry (same key) and a second revocation (new key) append nothing more.
    expect((await revoke()).status).toBe(200);
    const fresh = await stack.broker.http('POST', `/customers/${customer.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'FRAUD.OTHER' },
    });
    expect(fresh.json()).toMatchObject({
      status: 'revoked',
      reason: 'FRAUD.DOUBLE_SPEND_ATTEMPT',
      chainsRevoked: [],
    });
    expect((await customerEvents()).filter((t) => t === 'CustomerRevoked')).toHaveLength(1);
    const chainEvents = await stack.store.readStream(streams.chain(chain.chainId));
    expect(chainEvents.at(-1)).toMatchObject({ type: 'ChainRevoked', data: { reason: 'fraud' } });

    // The vendor heard the chain's revocation: the next spend is refused.
    await eventually(
      'the vendor heard the chain revocation',
      () => vendor.engine.revocations.chain(chain.chainId) !== undefined,
    );
    const spend = await vendor.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect({ status: spend.status, code: spend.json().code }).toEqual({ status: 402, code: 'CHAIN.REVOKED' });

    // No new purchase; the notice is in the public list.
    const bought = await buy(stack.broker.http, customer, { coins: 10 });
    expect({ status: bought.status, code: bought.json().code }).toEqual({
      status: 403,
      code: 'CUSTOMER.REVOKED',
    });
    const crl = (await stack.broker.http('GET', '/revocations')).json<{
      customers: { id: string; kind: string }[];
    }>();
    expect(crl.customers).toEqual([expect.objectContaining({ kind: 'customer', id: customer.customerId })]);

    // Bad input changes nothing: an unknown reason code is a 400.
    const bad = await stack.broker.http('POST', `/customers/${customer.customerId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'he looked shifty' },
    });
    expect(bad.status).toBe(400);
    // Without the admin token nobody revokes anybody.
    expect(
      (
        await stack.broker.http('POST', `/customers/${customer.customerId}/revoke`, {
          body: { reason: 'FRAUD.OTHER' },
        })
      ).status,
    ).toBe(401);
  }, 60_000);

  it('a lift forged by a vendor — in the store or on the bus — changes nothing', async () => {
    const forger = createSigner(generateSigningKey(stack.broker.app.get(BrokerKeyRing).currentKeyId));
    const at = new Date().toISOString();
    const notice = signRevocationNotice(
      {
        kind: 'customer',
        id: customer.customerId,
        reason: 'OPERATOR.REINSTATED',
        at,
        brokerKeyId: forger.keyId,
        lifted: true,
      },
      forger,
    );
    // A vendor's rights do not let it write a customer stream.
    await expect(
      vendorStore.appendToStream(streams.customer(customer.customerId), [
        {
          id: randomUUID(),
          type: 'CustomerReinstated',
          version: 1,
          data: { customerId: customer.customerId, note: 'OPERATOR.REINSTATED', notice, at },
          metadata: { correlationId: 'f', causationId: 'f', actor: 'broker' },
        },
      ]),
    ).rejects.toThrow();
    // Nor publish on the revocation subject (dropped by the server; vendors would drop it anyway).
    vendorNats.publish(subjects.revocation, JSON.stringify(notice));
    await vendorNats.flush().catch(() => undefined);
    expect(await customerEvents()).not.toContain('CustomerReinstated');
    expect((await standing()).status).toBe('revoked');
    const bought = await buy(stack.broker.http, customer, { coins: 10 });
    expect({ status: bought.status, code: bought.json().code }).toEqual({
      status: 403,
      code: 'CUSTOMER.REVOKED',
    });
  }, 30_000);

  it('the operator lifts it (idempotently): the customer buys again, the revoked chain stays revoked', async () => {
    const lift = await stack.broker.http('POST', `/customers/${customer.customerId}/reinstate`, {
      token: ADMIN_TOKEN,
    });
    expect(lift.json()).toMatchObject({ status: 'active', notice: { kind: 'customer', lifted: true } });
    const again = await stack.broker.http('POST', `/customers/${customer.customerId}/reinstate`, {
      token: ADMIN_TOKEN,
    });
    expect(again.json()).toMatchObject({ status: 'active' });
    expect((await customerEvents()).filter((t) => t === 'CustomerReinstated')).toHaveLength(1);
    await eventually('the lift is listed', async () => {
      const crl = (await stack.broker.http('GET', '/revocations')).json<{
        customers: { lifted?: boolean }[];
      }>();
      return crl.customers.length === 1 && crl.customers[0]!.lifted === true;
    });

    const bought = await buy(stack.broker.http, customer, { coins: 10 });
    expect(bought.status).toBe(201);
    const c = bought.json<Bought>().chains[0]!;
    const next = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
    expect((await vendor.http('GET', '/articles/a3', { headers: pay(next, 1, 2) })).status).toBe(200);
    const old = await vendor.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
    expect({ status: old.status, code: old.json().code }).toEqual({ status: 402, code: 'CHAIN.REVOKED' });
  }, 30_000);
});
