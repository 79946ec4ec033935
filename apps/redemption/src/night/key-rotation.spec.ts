// Broker key rotation as deploy/README.md documents it, end to end for the money: the broker
// publishes its root-signed key list, the worker pins only the root, and every coin a vendor
// earned on chains of the old key and of the new one is paid — also when the worker meets a
// new-key chain before the new list reached it (the refusal is looked at again and paid).
import { afterEach, describe, expect, it } from '@jest/globals';
import { BrokerKeyBook, publishBrokerKeyList, streams } from '#events';
import { createSigner, signingKeyFromPrivate, publicKeyRecord, type Signer } from '#protocol';
import { BrokerKeyRing } from '../../../broker/src/keys/broker-key-ring.js';
import { replayStore } from '../../../auditor/src/cli/replay.js';
import { Audit, type AuditOptions } from '../../../auditor/src/core/audit.js';
import { REDEMPTION } from '../domain/reasons.js';
import { nightFixture, type NightFixture } from '../../test/night-fixture.js';

const ROOT: Signer = createSigner(signingKeyFromPrivate('broker_root', '33'.repeat(32)));
const NEW_KEY = '22'.repeat(32);
const BROKER = { correlationId: 'broker_start', causationId: 'broker_start', actor: 'broker' };

/** The broker as configured before the rotation (the chain world signs with this key). */
const before = (): BrokerKeyRing =>
  new BrokerKeyRing({
    brokerId: 'broker',
    signingKeyId: 'broker_1',
    signingKey: '11'.repeat(32),
    oldPublicKeys: [],
    nodeEnv: 'test',
  });

/** deploy/README.md's rotation: new BROKER_KEY_ID and BROKER_SIGNING_KEY, the old public key in BROKER_OLD_PUBLIC_KEYS. */
const after = (old: BrokerKeyRing): BrokerKeyRing =>
  new BrokerKeyRing({
    brokerId: 'broker',
    signingKeyId: 'broker_2',
    signingKey: NEW_KEY,
    oldPublicKeys: [`${old.currentKeyId}:${old.signer.publicKey}`],
    nodeEnv: 'test',
  });

/** What the broker does at start (KeyListPublisher). */
async function brokerStarts(f: NightFixture, ring: BrokerKeyRing): Promise<void> {
  await publishBrokerKeyList(f.store, {
    brokerId: 'broker',
    root: ROOT,
    keys: ring.publicKeys(),
    at: f.clock.now().toISOString(),
    metadata: BROKER,
  });
}

describe('broker key rotation as deploy/README.md says (worker pins only the root key)', () => {
  let f: NightFixture;
  afterEach(() => f.dispose());

  const start = async (): Promise<void> => {
    f = await nightFixture({
      brokerKeys: [], // BROKER_PUBLIC_KEYS unset: only BROKER_ROOT_PUBLIC_KEYS
      keyBook: (store) => new BrokerKeyBook({ store, rootKeys: [publicKeyRecord(ROOT)], brokerId: 'broker' }),
    });
    await f.vendors('music', 'greetings');
  };

  /** Music earns 110 (11 coins of 5 on each key); greetings 15 on the old key. */
  const day = async (newKeySigner: Signer): Promise<void> => {
    await f.world.issue('old_a', { coinValue: 5 });
    await f.world.spend('old_a', 'music', 11);
    await f.world.issue('old_b', { coinValue: 5 });
    await f.world.spend('old_b', 'greetings', 3);
    await f.world.issue('new_a', { coinValue: 5, signer: newKeySigner });
    await f.world.spend('new_a', 'music', 11);
  };

  it('pays every coin of chains signed before and after the rotation', async () => {
    await start();
    const old = before();
    await brokerStarts(f, old);
    const rotated = after(old);
    await brokerStarts(f, rotated); // the broker restarted with the new key
    await day(rotated.signer);

    const report = await f.worker.night.run('2026-03-10');
    expect(report.failures).toEqual([]);
    expect(await f.balance('music')).toBe(110);
    expect(await f.balance('greetings')).toBe(15);
    const lists = await f.store.readStream(streams.brokerKeys());
    expect(lists.map((e) => (e.data as { version: number }).version)).toEqual([1, 2]);
  });

  it('re-checks and pays coins first refused because the new key was not known yet', async () => {
    await start();
    const old = before();
    await brokerStarts(f, old);
    const rotated = after(old);
    // The broker signs with the new key, but its new list is not in the store yet (it retries).
    await day(rotated.signer);

    const first = await f.worker.night.run('2026-03-10');
    expect(first.failures).toEqual([]);
    expect(await f.balance('music')).toBe(55);
    const musicStream = streams.redemption('music', '2026-03-10');
    const rejected = (await f.store.readStream(musicStream)).filter(
      (e) => e.type === 'RedemptionItemRejected',
    );
    expect(rejected.map((e) => (e.data as { reason: string }).reason)).toEqual([
      REDEMPTION.UNKNOWN_BROKER_KEY,
    ]);

    await brokerStarts(f, rotated); // the list lands
    f.clock.advance(86_400_000);
    const second = await f.worker.night.run();
    expect(second.failures).toEqual([]);
    expect(second.outcomes.map((o) => [o.vendorId, o.status, o.amount])).toEqual([['music', 'paid', 55]]);
    expect(await f.balance('music')).toBe(110);
    expect(await f.balance('greetings')).toBe(15);

    // Nothing more to do: a third night pays nothing twice.
    const third = await f.worker.night.run();
    expect(third.outcomes).toEqual([]);
    expect(await f.balance('music')).toBe(110);
  });

  it('lets the auditor learn the keys from the lists the root it was given signed', async () => {
    await start();
    const old = before();
    await brokerStarts(f, old);
    const rotated = after(old);
    await brokerStarts(f, rotated);
    await day(rotated.signer);
    await f.worker.night.run('2026-03-10');
    const audit = async (options: AuditOptions): Promise<Readonly<Record<string, number>>> => {
      const a = new Audit(options);
      await replayStore(f.store, a, { pageSize: 50 });
      return a.finish().violationsByRule;
    };
    const withRoot = await audit({ brokerRootKeys: [publicKeyRecord(ROOT)] });
    expect(withRoot['R1.UNKNOWN_BROKER_KEY']).toBeUndefined();
    expect(withRoot['R1.BAD_KEY_LIST']).toBeUndefined();
    const withoutKeys = await audit({});
    expect(withoutKeys['R1.UNKNOWN_BROKER_KEY']).toBe(3);
    const impostor = createSigner(signingKeyFromPrivate('broker_root', '44'.repeat(32)));
    const wrongRoot = await audit({ brokerRootKeys: [publicKeyRecord(impostor)] });
    expect(wrongRoot['R1.BAD_KEY_LIST']).toBe(2);
    expect(wrongRoot['R1.UNKNOWN_BROKER_KEY']).toBe(3);
  });

  it('does not believe a key list that the pinned root did not sign', async () => {
    await start();
    const old = before();
    await brokerStarts(f, old);
    const rotated = after(old);
    const impostor = createSigner(signingKeyFromPrivate('broker_root', '44'.repeat(32)));
    await publishBrokerKeyList(f.store, {
      brokerId: 'broker',
      root: impostor,
      keys: rotated.publicKeys(),
      at: f.clock.now().toISOString(),
      metadata: BROKER,
    });
    await day(rotated.signer);
    await f.worker.night.run('2026-03-10');
    expect(await f.balance('music')).toBe(55);
  });
});
