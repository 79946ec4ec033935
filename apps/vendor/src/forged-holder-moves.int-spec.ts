import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { streams } from '#events';
import {
  createSigner,
  generateSigningKey,
  signHandOffCertificate,
  signVendorKeyCertificate,
  type Chain,
} from '#protocol';
import { BrokerKeyRing } from '../../broker/src/keys/broker-key-ring.js';
import { ForgeryStack, pay } from '../test/forgery-stack.js';

/**
 * Every vendor may append to chain streams, so a dishonest one (its own NATS identity, the ordinary
 * store; here `music_b`, whose vendor process is not even running) can write a hand-off or a claim
 * that names itself the holder of another customer's chain. A hand-off is believed only with the
 * giving vendor's signature by a key the broker certified, a claim only signed by its claimant: the
 * folds ignore both, so the honest vendor the customer visits next asks the true holder (no wait
 * for the forger, no claim from it), the customer spends on, and the auditor names both forgeries
 * (real nats-server, the vendor role's own rights).
 */
describe('a forged hand-off or claim in a chain stream (real broker, vendors, auditor; vendor rights)', () => {
  let s: ForgeryStack;

  beforeAll(async () => {
    s = await ForgeryStack.start(['news_a', 'late_c'], 'music_b');
  });
  afterAll(async () => {
    await s?.dispose();
  });

  it('an IndexHandedOff and a ChainClaimed naming the forger move nothing; the next vendor takes the chain from the true holder', async () => {
    const [holder, next] = s.vendors as [(typeof s.vendors)[0], (typeof s.vendors)[0]];
    // The forger's own key (the broker never certified it) and a certificate it made up.
    const forger = createSigner(generateSigningKey('music_b_k1'));
    const brokerKeyId = s.stack.broker.app.get(BrokerKeyRing).currentKeyId;
    const madeUp = signVendorKeyCertificate(
      {
        vendorId: 'news_a',
        keyId: forger.keyId,
        publicKey: forger.publicKey,
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 3_600_000).toISOString(),
        brokerKeyId,
      },
      { ...forger, keyId: brokerKeyId },
    );
    const forgeries: Record<
      string,
      (chain: Chain) => { type: string; version: number; data: Record<string, unknown> }
    > = {
      IndexHandedOff: (chain) => {
        const at = new Date().toISOString();
        const certificate = signHandOffCertificate(
          {
            chainId: chain.chainId,
            fromVendor: 'news_a',
            toVendor: 'music_b',
            index: 3,
            lastPayword: chain.payword(2),
            at,
            vendorKeyId: forger.keyId,
          },
          forger,
        );
        return { type: 'IndexHandedOff', version: 1, data: { certificate, holderCertificate: madeUp, at } };
      },
      ChainClaimed: (chain) => ({
        type: 'ChainClaimed',
        version: 1,
        data: {
          chainId: chain.chainId,
          fromVendor: 'news_a',
          toVendor: 'music_b',
          index: 3,
          lastPayword: chain.payword(2),
          reason: 'holder-timeout',
          at: new Date().toISOString(),
        },
      }),
    };

    const streamsOf: Record<string, string> = {};
    for (const [type, forge] of Object.entries(forgeries)) {
      const chain = await s.clientChain();
      const stream = streams.chain(chain.chainId);
      streamsOf[type] = stream;
      expect((await holder.http('GET', '/articles/a1', { headers: pay(chain, 1, 2) })).status).toBe(200);
      await s.forge(stream, forge(chain), 'vendor:music_b');

      // The customer moves on: the next vendor asks news_a (which still holds it), not the forger.
      const moved = await next.http('GET', '/articles/a2', { headers: pay(chain, 3, 2) });
      expect({ type, status: moved.status, body: moved.text }).toMatchObject({ type, status: 200 });
      const after = await s.stack.store.readStream(stream);
      const written = after.slice(-2).map((r) => {
        const d = r.data as { certificate?: { fromVendor: string; toVendor: string }; vendorId?: string };
        return [
          r.type,
          d.certificate ? `${d.certificate.fromVendor}->${d.certificate.toVendor}` : d.vendorId,
        ];
      });
      expect({ type, written }).toEqual({
        type,
        written: [
          ['IndexHandedOff', 'news_a->late_c'],
          ['CoinsSpent', 'late_c'],
        ],
      });
      expect(after.filter((r) => r.type === 'ChainClaimed' && r.metadata.actor !== 'vendor:music_b')).toEqual(
        [],
      );
      // And on: the same vendor again, from its memory.
      const again = await next.http('GET', '/articles/a1', { headers: pay(chain, 5, 2) });
      expect({ type, status: again.status, body: again.text }).toMatchObject({ type, status: 200 });
    }

    const audit = await s.audit();
    expect(audit.code).toBe(1);
    expect(audit.violations.map((v) => [v.code, v.stream])).toEqual([
      ['R2.BAD_HANDOFF_SIGNATURE', streamsOf.IndexHandedOff],
      ['R2.BAD_CLAIM_SIGNATURE', streamsOf.ChainClaimed],
    ]);
  }, 90_000);
});
