import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { signChainEvent } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { buy, registerCustomer, type TestCustomer } from '../test/scenario.js';

type Revocations = { revocations: { chainId: string; reason: string }[] };

// Reasons are codes from a fixed list: free text (a customer's name, say) never reaches chain
// streams or the public revocation list, and old free-text events read as `other`.
describe('revocation reasons (in-memory)', () => {
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let customer: TestCustomer;

  beforeAll(async () => {
    broker = await startBroker({ store });
    customer = await registerCustomer(broker.http, 1_000);
  });
  afterAll(() => broker.close());

  const chainOf = async (): Promise<string> =>
    (await buy(broker.http, customer, { coins: 2 })).json<{ chains: { chainId: string }[] }>().chains[0]!
      .chainId;

  it.each(['fraud reported by Ada Reader', '', 'FRAUD', 'other '])(
    'refuses the free-text reason %j with 400 REQUEST.INVALID, appending nothing',
    async (reason) => {
      const chainId = await chainOf();
      const before = await store.readAll();
      const res = await broker.http('POST', `/chains/${chainId}/revoke`, {
        token: ADMIN_TOKEN,
        body: { reason },
      });
      expect([res.status, res.json().code]).toEqual([400, 'REQUEST.INVALID']);
      expect(await store.readAll()).toEqual(before);
    },
  );

  it('records a reason code in the chain stream and lists it', async () => {
    const chainId = await chainOf();
    const res = await broker.http('POST', `/chains/${chainId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'stolen-wallet' },
    });
    expect(res.json()).toMatchObject({ chainId, status: 'revoked', reason: 'stolen-wallet' });
    const stream = await store.readStream(streams.chain(chainId));
    expect(stream.at(-1)).toMatchObject({
      type: 'ChainRevoked',
      version: 2,
      data: { reason: 'stolen-wallet' },
    });
    const list = (await broker.http('GET', '/revocations')).json<Revocations>();
    expect(list.revocations).toContainEqual(expect.objectContaining({ chainId, reason: 'stolen-wallet' }));
  });

  it('reads an old free-text revocation (v1) as the code `other`', async () => {
    const chainId = await chainOf();
    const stream = streams.chain(chainId);
    const revision = (await store.readStream(stream)).length;
    const old = { chainId, reason: 'fraud reported by Ada Reader', at: '2026-01-01T00:00:00.000Z' };
    // Written by the broker, so signed by it (over the stored v1 data): unsigned, it is ignored.
    const brokerSignature = signChainEvent(
      broker.app.get(BrokerKeyRing).signer,
      stream,
      revision,
      'ChainRevoked',
      old,
    );
    await store.appendToStream(stream, [
      {
        id: randomUUID(),
        type: 'ChainRevoked',
        version: 1,
        data: { ...old, brokerSignature },
        metadata: { correlationId: 'old', causationId: 'old', actor: 'operator' },
      },
    ]);
    const list = await broker.http('GET', '/revocations');
    expect(list.json<Revocations>().revocations).toContainEqual(
      expect.objectContaining({ chainId, reason: 'other' }),
    );
    expect(list.text).not.toContain('Ada');
  });
});
