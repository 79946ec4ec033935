import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type VendorKeyReply, subjects } from '#contracts';
import { connectTestStore } from '#event-store/testing';
import { SystemClock } from '#platform';
import { createSigner, generateSigningKey } from '#protocol';
import { VendorClaims } from '../../../redemption/src/claims/vendor-claims.js';
import { signVendorClaim } from '../../../redemption/src/domain/vendor-claim.js';
import { RedemptionReads } from '../../../redemption/src/night/store-reads.js';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';
import { authoriseVendor, registerCustomer, registerVendor, signedCheckout } from '../test/scenario.js';

// An insider probe: the operator rotated a vendor's key after it was stolen, but the broker kept
// certifying the old key at every ask (GET /vendors/:id/keys, the vendor-keys subject): the thief
// renewed its 24 h certificate for good and signed hand-offs, claims, checkouts and redemption
// claims in the vendor's name. A retired key is now certified by no one and signs nothing taken.
describe('retiring a vendor key (JetStream)', () => {
  let stack: IntStack;
  let broker: TestBroker;
  let stolen: Awaited<ReturnType<typeof registerVendor>>;
  const fresh = generateSigningKey('va-k2');

  const certifiedKeyIds = (reply: VendorKeyReply) => reply.certificates.map((c) => c.keyId);

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({ store: stack.store, config: stack.config, nats: true });
    stolen = await registerVendor(broker.http, 'va');
    const rotated = await broker.http('POST', '/vendors/va/keys', {
      token: ADMIN_TOKEN,
      body: { keyId: fresh.keyId, publicKey: fresh.publicKey },
    });
    expect(rotated.status).toBe(201);
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  it('refuses to retire the last key in use, an unknown key, and a stranger', async () => {
    await registerVendor(broker.http, 'vb');
    const last = await broker.http('DELETE', '/vendors/vb/keys/vb-k1', { token: ADMIN_TOKEN });
    expect([last.status, last.json<{ code: string }>().code]).toEqual([409, 'VENDOR.LAST_KEY']);
    const unknown = await broker.http('DELETE', '/vendors/va/keys/nope', { token: ADMIN_TOKEN });
    expect([unknown.status, unknown.json<{ code: string }>().code]).toEqual([404, 'VENDOR.KEY_NOT_FOUND']);
    const stranger = await broker.http('DELETE', '/vendors/va/keys/va-k1', { token: 'not-the-admin' });
    expect([stranger.status, stranger.json<{ code: string }>().code]).toEqual([401, 'ADMIN.UNAUTHORISED']);
    // Nothing changed: the old key is still certified.
    const keys = (await broker.http('GET', '/vendors/va/keys')).json<VendorKeyReply>();
    expect(certifiedKeyIds(keys)).toEqual([stolen.keyId, fresh.keyId]);
  });

  it('certifies the retired key no more, over HTTP and NATS, and says so idempotently', async () => {
    const retired = await broker.http('DELETE', `/vendors/va/keys/${stolen.keyId}`, { token: ADMIN_TOKEN });
    expect(retired.status).toBe(200);
    expect(certifiedKeyIds(retired.json<VendorKeyReply>())).toEqual([fresh.keyId]);
    const again = await broker.http('DELETE', `/vendors/va/keys/${stolen.keyId}`, { token: ADMIN_TOKEN });
    expect(again.status).toBe(200);
    const http = (await broker.http('GET', '/vendors/va/keys')).json<VendorKeyReply>();
    expect(http.keys.map((k) => k.keyId)).toEqual([fresh.keyId]);
    expect(certifiedKeyIds(http)).toEqual([fresh.keyId]);
    const bus = await stack.request<VendorKeyReply>(subjects.vendorKeys, { vendorId: 'va' });
    expect(bus.ok && certifiedKeyIds(bus.value)).toEqual([fresh.keyId]);
    // Nor can it be added back under its id.
    const readd = await broker.http('POST', '/vendors/va/keys', {
      token: ADMIN_TOKEN,
      body: { keyId: stolen.keyId, publicKey: stolen.publicKey },
    });
    expect([readd.status, readd.json<{ code: string }>().code]).toEqual([409, 'VENDOR.KEY_ID_TAKEN']);
  });

  it('takes no checkout signed with the retired key, and one signed with the key in use', async () => {
    const customer = await registerCustomer(broker.http, 100);
    const token = await authoriseVendor(broker.http, customer, 'va');
    const byThief = await stack.request(subjects.walletCheckout, signedCheckout(stolen, 'va', token, 2));
    expect(byThief.ok ? 'ok' : byThief.error.code).toBe('CHECKOUT.SIGNATURE_INVALID');
    const honest = await stack.request(subjects.walletCheckout, signedCheckout(fresh, 'va', token, 2));
    expect(honest.ok ? 'ok' : honest.error.code).not.toBe('CHECKOUT.SIGNATURE_INVALID');
  });

  it("makes the redemption worker refuse a claim signed with it (no false claims in the vendor's name)", async () => {
    // The worker's own identity: only it writes the redemption streams.
    const worker = await connectTestStore(
      { streamName: stack.streamName, subjectPrefix: stack.subjectPrefix },
      'redemption',
    );
    const claims = new VendorClaims(worker, new RedemptionReads(worker), new SystemClock(), 'UTC');
    const businessDay = new Date().toISOString().slice(0, 10);
    const items = [{ chainId: 'ch_someone_else', fromIndex: 1, toIndex: 5, proofPayword: 'ab'.repeat(32) }];
    const claim = (key: typeof fresh, claimId: string) =>
      signVendorClaim(
        { vendorId: 'va', businessDay, claimId, items, vendorKeyId: key.keyId },
        createSigner(key),
      );
    await expect(claims.submit(claim(stolen, 'by_thief'))).rejects.toMatchObject({
      code: 'REDEMPTION.CLAIM_SIGNATURE_INVALID',
    });
    await expect(claims.submit(claim(fresh, 'by_vendor'))).resolves.toMatchObject({ created: true });
    await worker.close();
  });
});
