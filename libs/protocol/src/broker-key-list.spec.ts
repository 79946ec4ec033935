import { describe, expect, it } from '@jest/globals';
import {
  newestBrokerKeyList,
  parseSignedBrokerKeyList,
  signBrokerKeyList,
  verifyBrokerKeyList,
  type BrokerKeyListBody,
} from './broker-key-list.js';
import { createSigner, publicKeyRecord, signingKeyFromPrivate } from './keys.js';

const root = createSigner(signingKeyFromPrivate('root', '01'.repeat(32)));
const other = createSigner(signingKeyFromPrivate('root', '02'.repeat(32)));
const k1 = createSigner(signingKeyFromPrivate('broker-1', '03'.repeat(32)));
const k2 = createSigner(signingKeyFromPrivate('broker-2', '04'.repeat(32)));

const body = (version: number, keys = [k1]): BrokerKeyListBody => ({
  brokerId: 'broker',
  version,
  keys: keys.map((k) => ({ keyId: k.keyId, publicKey: k.publicKey })),
  issuedAt: '2026-03-10T00:00:00.000Z',
  rootKeyId: 'root',
});

describe('broker key list', () => {
  it('verifies with the root that signed it and with no other key', () => {
    const list = signBrokerKeyList(body(1), root);
    expect(verifyBrokerKeyList(list, [publicKeyRecord(root)]).ok).toBe(true);
    expect(verifyBrokerKeyList(list, [publicKeyRecord(other)])).toMatchObject({ code: 'SIGNATURE.INVALID' });
    // A list naming a key of its own does not vouch for itself.
    expect(verifyBrokerKeyList(list, [publicKeyRecord(k1)])).toMatchObject({ ok: false });
  });

  it('does not verify once a key is added or swapped', () => {
    const list = signBrokerKeyList(body(1), root);
    const added = { ...list, keys: [...list.keys, { keyId: k2.keyId, publicKey: k2.publicKey }] };
    const swapped = { ...list, keys: [{ keyId: 'broker-1', publicKey: k2.publicKey }] };
    for (const forged of [added, swapped])
      expect(verifyBrokerKeyList(forged, [publicKeyRecord(root)])).toMatchObject({
        code: 'SIGNATURE.INVALID',
      });
  });

  it('parses strictly: unknown fields, bad hex and repeated key ids are refused', () => {
    const list = signBrokerKeyList(body(1), root);
    expect(parseSignedBrokerKeyList(JSON.parse(JSON.stringify(list)))).toEqual(list);
    expect(() => parseSignedBrokerKeyList({ ...list, extra: 1 })).toThrow(/unknown field/);
    expect(() => parseSignedBrokerKeyList({ ...list, keys: [{ keyId: 'x', publicKey: 'zz' }] })).toThrow();
    expect(() => signBrokerKeyList(body(1, [k1, k1]), root)).toThrow(/repeated key id/);
  });

  it('picks the newest list the root signed, ignoring forged and malformed ones', () => {
    const v1 = signBrokerKeyList(body(1), root);
    const v2 = signBrokerKeyList(body(2, [k2, k1]), root);
    const forged = signBrokerKeyList(body(3, [k2]), other);
    const newest = newestBrokerKeyList([v2, v1, forged, { junk: true }], [publicKeyRecord(root)], 'broker');
    expect(newest?.version).toBe(2);
    expect(newestBrokerKeyList([v1], [publicKeyRecord(root)], 'another-broker')).toBeUndefined();
  });
});
