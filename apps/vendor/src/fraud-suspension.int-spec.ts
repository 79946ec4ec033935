import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects } from '#contracts';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, testNatsIdentity } from '#event-store/testing';
import { type RedemptionItemRejected, signRecord, streams, verdictSigningBytes } from '#events';
import { createSigner, generateChain, generateSigningKey, signRevocationNotice, type Chain } from '#protocol';
import { BrokerKeyRing } from '../../broker/src/keys/broker-key-ring.js';
import { ADMIN_TOKEN } from '../../broker/src/test/broker-harness.js';
import { buy, registerCustomer, type TestCustomer } from '../../broker/src/test/scenario.js';
import { type BrokeredVendor, RealBrokerStack } from '../test/real-broker-stack.js';

const pay = (chain: Chain, index: number, coins: number) => {
  const position = index + coins - 1;
  return { 'x-netpay-payment': `${chain.chainId}.${position}.${chain.payword(position)}` };
};

const worker = createSigner(generateSigningKey('worker-1'));

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

/** How many revocation notices `vendor` dropped (its bus refusals metric). */
async function droppedNotices(vendor: BrokeredVendor): Promise<number> {
  const text = (await vendor.http('GET', '/metrics')).text;
  return text
    .split('\n')
    .filter((l) => l.startsWith('netpay_vendor_bus_refusals_total{') && l.includes('message="revocation"'))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * Issue 20 item 5 on a real nats-server with every party's own rights: the redemption worker
 * (its identity, its key) refuses three of music_b's claimed items as fraud; the broker reads the
 * signed refusals, suspends music_b with a signed notice; honest vendors refuse it hand-offs and
 * take chains back from it; a suspension forged by music_b changes nothing; the operator's lift
 * lets hand-offs to it work again.
 */
describe('fraud response: a vendor suspended for repeated fraud (real broker, vendors, worker rights)', () => {
  let stack: RealBrokerStack;
  let honest: BrokeredVendor;
  let evil: BrokeredVendor;
  let workerStore: JetStreamEventStore;
  let evilStore: JetStreamEventStore;
  let evilNats: NatsConnection;
  let outsider: NatsConnection;
  let customer: TestCustomer;
  let chain: Chain;

  beforeAll(async () => {
    stack = await RealBrokerStack.start({
      brokerEnv: {
        REDEMPTION_PUBLIC_KEYS: `${worker.keyId}:${worker.publicKey}`,
        FRAUD_SUSPEND_AFTER: '3',
      },
    });
    [honest, evil] = await Promise.all([stack.vendor('news_a'), stack.vendor('music_b')]);
    await Promise.all([honest.registration.done, evil.registration.done]);
    const store = {
      servers: stack.nats.url,
      streamName: `TEST_VB_${stack.unique}`,
      subjectPrefix: `test.vb${stack.unique}.events`,
    };
    workerStore = await connectTestStore(store, 'redemption');
    evilStore = await connectTestStore(store, 'vendor-music_b');
    evilNats = await connect({ ...testNatsIdentity('vendor-music_b'), servers: stack.nats.url });
    // Anyone else on the bus with rights to publish anything (the dev 'test' role).
    outsider = await connect({ ...testNatsIdentity('test'), servers: stack.nats.url, name: 'outsider' });
    customer = await registerCustomer(stack.broker.http, 100_000);
    const bought = (await buy(stack.broker.http, customer, { coins: 40, wallet: 'client' })).json<{
      chains: { chainId: string; length: number; seed: string }[];
    }>();
    const c = bought.chains[0]!;
    chain = generateChain({ chainId: c.chainId, length: c.length, alg: 'sha256', seed: c.seed });
  });
  afterAll(async () => {
    await evilNats?.close();
    await outsider?.close();
    await workerStore?.close();
    await evilStore?.close();
    await stack.dispose();
  });

  /** The worker's signed refusal of item `item` of one of music_b's batches, as the worker writes it. */
  async function refuse(item: number, reason = 'REDEMPTION.NOT_SPENT_BY_VENDOR'): Promise<void> {
    const stream = streams.redemption('music_b', '2026-11-19');
    const unsigned: RedemptionItemRejected['data'] = {
      batchId: 'claim_1',
      item,
      chainId: chain.chainId,
      fromIndex: item + 1,
      toIndex: item + 1,
      reason,
      detail: 'positions spent at another vendor',
      at: new Date().toISOString(),
    };
    const signature = signRecord(
      worker,
      verdictSigningBytes(stream, { type: 'RedemptionItemRejected', data: unsigned }),
    );
    await workerStore.appendToStream(stream, [
      {
        id: randomUUID(),
        type: 'RedemptionItemRejected',
        version: 1,
        data: { ...unsigned, signature },
        metadata: { correlationId: 'night', causationId: 'night', actor: 'redemption' },
      },
    ]);
  }

  const standing = async (vendorId: string) =>
    (await stack.broker.http('GET', `/vendors/${vendorId}/standing`, { token: ADMIN_TOKEN })).json<{
      status: string;
      strikes: number;
    }>();

  const typesOf = async () => (await stack.store.readStream(streams.chain(chain.chainId))).map((e) => e.type);

  it('suspends music_b at its third fraud refusal, and every party acts on the signed notice', async () => {
    // music_b holds a key certificate from before (valid 24 h), and the chain: the customer paid it first.
    await evil.engine.certificate.get();
    expect((await evil.http('GET', '/clips/m1', { headers: pay(chain, 1, 5) })).status).toBe(200);

    await refuse(0);
    await refuse(1, 'REDEMPTION.OVERLAP'); // a retry, not fraud: no strike
    await refuse(2);
    await eventually('two strikes recorded', async () => (await standing('music_b')).strikes === 2);
    expect((await standing('music_b')).status).toBe('active');
    await refuse(3);
    await eventually('music_b suspended', async () => (await standing('music_b')).status === 'suspended');
    await eventually(
      'the honest vendor heard the notice',
      () => honest.engine.revocations.suspended('music_b') !== undefined,
    );
    const crl = (await stack.broker.http('GET', '/revocations')).json<{ vendors: { id: string }[] }>();
    expect(crl.vendors.map((n) => n.id)).toEqual(['music_b']);

    // The broker certifies none of its keys any more.
    const keys = await stack.broker.http('GET', '/vendors/music_b/keys');
    expect({ status: keys.status, code: keys.json().code }).toEqual({
      status: 403,
      code: 'VENDOR.SUSPENDED',
    });
    // Nor does a customer get a checkout token for it (the mobile subscriber token goes the same way).
    const authorised = await stack.broker.http('POST', '/wallet/vendors', {
      token: customer.token,
      body: { vendorId: 'music_b' },
    });
    expect({ status: authorised.status, code: authorised.json().code }).toEqual({
      status: 403,
      code: 'VENDOR.SUSPENDED',
    });

    // The customer pays the honest vendor: it does not ask the suspended holder, it claims the chain.
    expect((await honest.http('GET', '/articles/a1', { headers: pay(chain, 6, 2) })).status).toBe(200);
    expect(await typesOf()).toEqual(['ChainIssued', 'CoinsSpent', 'ChainClaimed', 'CoinsSpent']);

    // music_b asks for the chain back with its old certificate: the honest holder refuses it.
    const refused = await evil.http('GET', '/clips/m2', { headers: pay(chain, 8, 5) });
    expect({ status: refused.status, code: refused.json().code }).toEqual({
      status: 403,
      code: 'HANDOFF.VENDOR_SUSPENDED',
    });
    expect(await typesOf()).toHaveLength(4);
  }, 60_000);

  it('music_b claiming the chain behind the holder’s back wins it nothing: no fold believes the unsigned claim', async () => {
    const [last] = await evilStore.readStream(streams.chain(chain.chainId), {
      direction: 'backwards',
      maxCount: 1,
    });
    await evilStore.appendToStream(
      streams.chain(chain.chainId),
      [
        {
          id: randomUUID(),
          type: 'ChainClaimed',
          version: 1,
          data: {
            chainId: chain.chainId,
            fromVendor: 'news_a',
            toVendor: 'music_b',
            index: 8,
            lastPayword: chain.payword(7),
            reason: 'holder-timeout',
            at: new Date().toISOString(),
          },
          metadata: { correlationId: 'grab', causationId: 'grab', actor: 'vendor:music_b' },
        },
      ],
      { expectedRevision: last!.revision },
    );
    const paid = await honest.http('GET', '/articles/a2', { headers: pay(chain, 8, 2) });
    expect({ status: paid.status, body: paid.text }).toMatchObject({ status: 200 });
    // The claim is not signed by music_b's certified key, so no fold believes it (docs/security.md,
    // layer 2b): news_a still holds the chain and spends on it without claiming it back.
    expect((await typesOf()).slice(4)).toEqual(['ChainClaimed', 'CoinsSpent']);
    const claims = (await stack.store.readStream(streams.chain(chain.chainId)))
      .filter((e) => e.type === 'ChainClaimed')
      .map((e) => (e.data as { toVendor: string }).toVendor);
    expect(claims).toEqual(['news_a', 'music_b']);
  }, 30_000);

  it('a suspension forged by music_b — on the bus or in the store — is ignored by everyone', async () => {
    const droppedBefore = await droppedNotices(honest);
    // Signed under the broker's key id with a key of its own: a suspension of its honest rival,
    // and a lift of its own suspension. music_b's rights do not let it publish on the revocation
    // subject (the server drops them); an outsider that can publish there gets them dropped by
    // every vendor (no pinned broker key signed them).
    const forger = createSigner(generateSigningKey(stack.broker.app.get(BrokerKeyRing).currentKeyId));
    const at = new Date().toISOString();
    const forge = (id: string, lifted?: true) =>
      signRevocationNotice(
        { kind: 'vendor', id, reason: 'FRAUD', at, brokerKeyId: forger.keyId, ...(lifted ? { lifted } : {}) },
        forger,
      );
    for (const nc of [evilNats, outsider]) {
      nc.publish(subjects.revocation, JSON.stringify(forge('news_a')));
      nc.publish(subjects.revocation, JSON.stringify(forge('music_b', true)));
      await nc.flush().catch(() => undefined);
    }
    await eventually(
      'the honest vendor dropped the outsider’s forgeries',
      async () => (await droppedNotices(honest)) >= droppedBefore + 2,
    );
    expect(honest.engine.revocations.suspended('news_a')).toBeUndefined();
    expect(honest.engine.revocations.suspended('music_b')).toBeDefined();
    // Its rights do not let it write a vendor stream at all.
    await expect(
      evilStore.appendToStream(streams.vendor('news_a'), [
        {
          id: randomUUID(),
          type: 'VendorSuspended',
          version: 1,
          data: { vendorId: 'news_a', reason: 'FRAUD', evidence: [], notice: forge('news_a'), at },
          metadata: { correlationId: 'f', causationId: 'f', actor: 'broker' },
        },
      ]),
    ).rejects.toThrow();
    expect((await standing('news_a')).status).toBe('active');
    expect((await standing('music_b')).status).toBe('suspended');
    expect((await stack.broker.http('GET', '/vendors/news_a/keys')).status).toBe(200);
  }, 30_000);

  it('the operator lifts the suspension (idempotently): hand-offs to music_b work again', async () => {
    const lift = await stack.broker.http('POST', '/vendors/music_b/reinstate', { token: ADMIN_TOKEN });
    expect(lift.json()).toMatchObject({
      vendorId: 'music_b',
      status: 'active',
      strikes: 0,
      notice: { lifted: true },
    });
    const again = await stack.broker.http('POST', '/vendors/music_b/reinstate', { token: ADMIN_TOKEN });
    expect(again.json()).toMatchObject({ status: 'active' });
    const vendorEvents = (await stack.store.readStream(streams.vendor('music_b'))).map((e) => e.type);
    expect(vendorEvents.filter((t) => t === 'VendorReinstated')).toHaveLength(1);
    await eventually(
      'the honest vendor heard the lift',
      () => honest.engine.revocations.suspended('music_b') === undefined,
    );
    expect((await stack.broker.http('GET', '/vendors/music_b/keys')).status).toBe(200);
    const authorised = await stack.broker.http('POST', '/wallet/vendors', {
      token: customer.token,
      body: { vendorId: 'music_b' },
    });
    expect(authorised.status).toBe(201);
    const before = (await typesOf()).length;
    const back = await evil.http('GET', '/clips/m1', { headers: pay(chain, 10, 5) });
    expect({ status: back.status, body: back.text }).toMatchObject({ status: 200 });
    expect((await typesOf()).slice(before)).toEqual(['IndexHandedOff', 'CoinsSpent']);
    // Without the admin token nobody lifts anything.
    const anon = await stack.broker.http('POST', '/vendors/music_b/reinstate');
    expect(anon.status).toBe(401);
  }, 30_000);
});
