import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateSigningKey, vendorRegistrationToken } from '#protocol';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';

// An insider probe: a vendor process used to get the operator's admin token to register itself
// at start, and with it added a key of its own to another vendor (the broker then certified it
// as that vendor: hand-offs, claims and redemption claims in its name), reinstated itself, revoked
// customers. A vendor now registers with its own registration token, which does only that.
describe('vendor registration token (JetStream)', () => {
  let stack: IntStack;
  let broker: TestBroker;
  let token: (vendorId: string) => string;

  const registration = (vendorId: string, keyId = `${vendorId}-k1`) => {
    const key = generateSigningKey(keyId);
    return {
      vendorId,
      name: `Vendor ${vendorId}`,
      bankAccount: `${vendorId}_bank`,
      key: { keyId: key.keyId, publicKey: key.publicKey },
    };
  };

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({ store: stack.store, config: stack.config });
    token = (vendorId) => vendorRegistrationToken(stack.config.brokerSecret, vendorId);
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  it('registers the vendor it was derived for, and a repeat of the same registration', async () => {
    const body = registration('va');
    const first = await broker.http('POST', '/vendors', { token: token('va'), body });
    expect(first.status).toBe(201);
    const again = await broker.http('POST', '/vendors', { token: token('va'), body });
    expect(again.status).toBe(201);
    expect(again.json<{ keys: unknown[] }>().keys).toHaveLength(1);
  });

  it('registers no other vendor id, and changes nothing', async () => {
    const res = await broker.http('POST', '/vendors', { token: token('va'), body: registration('vb') });
    expect(res.status).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('VENDOR.REGISTRATION_UNAUTHORISED');
    expect((await broker.http('GET', '/vendors/vb/keys')).status).toBe(404);
  });

  it('does not replace the registered key: a second registration with another key is refused', async () => {
    const res = await broker.http('POST', '/vendors', {
      token: token('va'),
      body: registration('va', 'va-k2'),
    });
    expect(res.status).toBe(409);
    expect(res.json<{ code: string }>().code).toBe('VENDOR.ALREADY_REGISTERED');
  });

  it('is not an admin token: no key added to another vendor nor to itself, no reinstatement', async () => {
    await broker.http('POST', '/vendors', { token: token('vb'), body: registration('vb') });
    const evil = generateSigningKey('evil-1');
    for (const [path, vendorToken] of [
      ['/vendors/vb/keys', token('va')],
      ['/vendors/va/keys', token('va')],
    ] as const) {
      const res = await broker.http('POST', path, {
        token: vendorToken,
        body: { keyId: evil.keyId, publicKey: evil.publicKey },
      });
      expect({ path, status: res.status, code: res.json<{ code: string }>().code }).toEqual({
        path,
        status: 401,
        code: 'ADMIN.UNAUTHORISED',
      });
    }
    const reinstate = await broker.http('POST', '/vendors/va/reinstate', { token: token('va'), body: {} });
    expect(reinstate.status).toBe(401);
    const keys = (await broker.http('GET', '/vendors/vb/keys')).json<{ keys: { keyId: string }[] }>().keys;
    expect(keys.map((k) => k.keyId)).toEqual(['vb-k1']);
  });

  it('refuses a token that is not a registration token at all', async () => {
    const res = await broker.http('POST', '/vendors', {
      token: 'nvr1.' + '0'.repeat(64),
      body: registration('vc'),
    });
    expect(res.status).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('VENDOR.REGISTRATION_UNAUTHORISED');
  });

  it("sets its own vendor's shop origins, and no other vendor's", async () => {
    const origins = { origins: ['https://va.example'] };
    const own = await broker.http('PUT', '/vendors/va/shop-origins', { token: token('va'), body: origins });
    expect(own.status).toBe(200);
    await broker.http('POST', '/vendors', { token: token('vb'), body: registration('vb') });
    const other = await broker.http('PUT', '/vendors/vb/shop-origins', { token: token('va'), body: origins });
    expect(other.status).toBe(401);
    expect(other.json<{ code: string }>().code).toBe('VENDOR.REGISTRATION_UNAUTHORISED');
    // A body naming the vendor the token belongs to does not stand for the path's.
    const smuggled = await broker.http('PUT', '/vendors/vb/shop-origins', {
      token: token('va'),
      body: { ...origins, vendorId: 'va' },
    });
    expect(smuggled.status).toBe(401);
    const frame = await broker.http('GET', '/site/wallet-frame.html?vendor=vb');
    expect(frame.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});
