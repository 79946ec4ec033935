import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BrokerKeysReply, subjects, type TouchstoneReply, type VendorKeyReply } from '#contracts';
import { checkVendorKeyCertificate, verifyTouchstone } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import type { CoinsPurchasedAnswer } from '../buy-coins/buy-coins.command.js';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';
import { buy, registerCustomer, registerVendor } from '../test/scenario.js';

// The NATS subjects vendors call, served by an in-process broker on real NATS, JetStream and Redis.
describe('broker NATS handlers (touchstone, broker keys, vendor keys)', () => {
  let stack: IntStack;
  let broker: TestBroker;

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({
      store: stack.store,
      config: stack.config,
      idempotency: 'redis',
      nats: true,
    });
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  it('serves a chain’s touchstone that verifies with the served broker keys', async () => {
    const customer = await registerCustomer(broker.http);
    const bought = (await buy(broker.http, customer, { coins: 10 })).json<CoinsPurchasedAnswer>();
    const chainId = bought.chains[0]!.chainId;
    const keys = await stack.request<BrokerKeysReply>(subjects.brokerKeys, {});
    const reply = await stack.request<TouchstoneReply>(subjects.touchstone, { chainId });
    if (!keys.ok || !reply.ok) throw new Error(JSON.stringify({ keys, reply }));
    expect(reply.value.touchstone).toEqual(bought.chains[0]!.touchstone);
    expect(verifyTouchstone(reply.value.touchstone, keys.value.keys).ok).toBe(true);
    expect(keys.value.keys[0]).toMatchObject({ keyId: 'broker-test-1', ownerId: 'broker' });
    const overHttp = await broker.http('GET', `/chains/${chainId}/touchstone`);
    expect(overHttp.json()).toEqual(reply.value);
  });

  it('answers an unknown chain with CHAIN.NOT_FOUND and a malformed request with REQUEST.INVALID', async () => {
    const missing = await stack.request(subjects.touchstone, { chainId: 'ch_nosuchchain' });
    expect(missing).toMatchObject({ ok: false, error: { code: 'CHAIN.NOT_FOUND' } });
    const malformed = await stack.request(subjects.touchstone, { chainId: 'not a chain id!', extra: 1 });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'REQUEST.INVALID' } });
  });

  it('serves a registered vendor’s keys, old and new, after a rotation', async () => {
    const first = await registerVendor(broker.http, 'vendor_keys_a');
    const rotated = await broker.http('POST', '/vendors/vendor_keys_a/keys', {
      token: 'admin-token-for-tests-0001',
      body: { keyId: 'vendor_keys_a-k2', publicKey: 'ab'.repeat(32) },
    });
    expect(rotated.status).toBe(201);
    const reply = await stack.request<VendorKeyReply>(subjects.vendorKeys, { vendorId: 'vendor_keys_a' });
    if (!reply.ok) throw new Error(JSON.stringify(reply));
    expect(reply.value).toMatchObject({
      vendorId: 'vendor_keys_a',
      keys: [
        { keyId: first.keyId, publicKey: first.publicKey, ownerId: 'vendor_keys_a' },
        { keyId: 'vendor_keys_a-k2', publicKey: 'ab'.repeat(32), ownerId: 'vendor_keys_a' },
      ],
    });
    // Each key comes with the broker's certificate, which verifies with the broker's key alone.
    const brokerKeys = broker.app.get(BrokerKeyRing).publicKeys();
    expect(reply.value.certificates.map((c) => [c.vendorId, c.keyId, c.publicKey])).toEqual(
      reply.value.keys.map((k) => ['vendor_keys_a', k.keyId, k.publicKey]),
    );
    for (const certificate of reply.value.certificates) {
      const check = checkVendorKeyCertificate(certificate, brokerKeys, {
        now: new Date(),
        vendorId: 'vendor_keys_a',
      });
      expect(check.ok).toBe(true);
    }
    const unknown = await stack.request(subjects.vendorKeys, { vendorId: 'nobody_here' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'VENDOR.NOT_FOUND' } });
  });
});
