import { describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { BrokerKeyBook, publishBrokerKeyList } from '#events';
import { ManualClock } from '#platform';
import {
  createSigner,
  generateChain,
  publicKeyRecord,
  signingKeyFromPrivate,
  signTouchstone,
  type Signer,
} from '#protocol';
import { KeyDirectory } from './key-directory.js';
import { TouchstoneBook } from './touchstone-book.js';
import type { BrokerClient } from '../broker/broker-client.js';
import type { HotChainStore } from './hot-chain-store.js';

const root = createSigner(signingKeyFromPrivate('broker_root', '33'.repeat(32)));
const oldKey = createSigner(signingKeyFromPrivate('broker_1', '11'.repeat(32)));
const newKey = createSigner(signingKeyFromPrivate('broker_2', '22'.repeat(32)));
const META = { correlationId: 'c', causationId: 'c', actor: 'broker' };

const touchstone = (signer: Signer, chainId: string) =>
  signTouchstone(
    {
      chainId,
      alg: 'sha256',
      root: generateChain({ chainId, length: 10, alg: 'sha256', seed: '55'.repeat(32) }).root,
      length: 10,
      coinValue: 5,
      currency: 'NZD',
      issuedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
      brokerKeyId: signer.keyId,
    },
    signer,
  );

describe('a vendor learns broker keys from the root-signed key list', () => {
  const setup = async () => {
    const store = new InMemoryEventStore();
    const clock = new ManualClock('2026-03-10T00:00:00.000Z');
    const keys = new KeyDirectory(
      [],
      new BrokerKeyBook({ store, rootKeys: [publicKeyRecord(root)], brokerId: 'broker' }),
      clock,
    );
    const hot = { writeTouchstone: async () => undefined } as unknown as HotChainStore;
    const book = new TouchstoneBook(keys, {} as BrokerClient, hot);
    const publish = (signer: Signer, ring: Signer[]) =>
      publishBrokerKeyList(store, {
        brokerId: 'broker',
        root: signer,
        keys: ring.map((k) => publicKeyRecord(k, 'broker')),
        at: clock.now().toISOString(),
        metadata: META,
      });
    return { store, clock, keys, book, publish };
  };

  it('accepts a touchstone of a key published after the vendor started', async () => {
    const { clock, keys, book, publish } = await setup();
    await publish(root, [oldKey]);
    await keys.refresh(true);
    await expect(book.accept(touchstone(oldKey, 'c1'))).resolves.toBeDefined();
    await publish(root, [newKey, oldKey]); // the broker rotated
    clock.advance(5_000);
    await expect(book.accept(touchstone(newKey, 'c2'))).resolves.toBeDefined();
    expect(keys.broker.map((k) => k.keyId)).toEqual(['broker_2', 'broker_1']);
  });

  it('refuses a touchstone whose key only a list of another root names', async () => {
    const { book, publish } = await setup();
    const impostor = createSigner(signingKeyFromPrivate('broker_root', '44'.repeat(32)));
    await publish(impostor, [newKey]);
    await expect(book.accept(touchstone(newKey, 'c3'))).rejects.toMatchObject({
      code: 'TOUCHSTONE.SIGNATURE_INVALID',
    });
  });
});
