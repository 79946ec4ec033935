import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { streams } from '#events';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { registerVendor } from '../test/scenario.js';

const frameAncestors = (csp: string | null): string | undefined =>
  /frame-ancestors ([^;]*)/.exec(csp ?? '')?.[1];

describe("the broker's pages (in-memory)", () => {
  let broker: TestBroker;
  const store = new InMemoryEventStore();

  beforeAll(async () => {
    broker = await startBroker({ store });
  });
  afterAll(() => broker.close());

  it('serves the site at / as HTML that no other site may frame', async () => {
    const res = await broker.http('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.text).toContain('/site/broker.mjs');
  });

  it("lets only the named vendor's shop origins frame the wallet frame", async () => {
    await registerVendor(broker.http, 'framed');
    const set = await broker.http('PUT', '/vendors/framed/shop-origins', {
      token: ADMIN_TOKEN,
      body: { origins: ['https://cards.example', 'http://127.0.0.1:3102', 'https://cards.example'] },
    });
    expect(set.status).toBe(200);
    expect(set.json()).toEqual({
      vendorId: 'framed',
      origins: ['http://127.0.0.1:3102', 'https://cards.example'],
    });

    const frame = await broker.http('GET', '/site/wallet-frame.html?vendor=framed');
    expect(frame.status).toBe(200);
    expect(frameAncestors(frame.headers.get('content-security-policy'))).toBe(
      'http://127.0.0.1:3102 https://cards.example',
    );
    // No vendor, an unknown one, a malformed one, or one with no origins yet: no page may frame it.
    await registerVendor(broker.http, 'unframed');
    for (const query of [
      '',
      '?vendor=nobody',
      '?vendor=framed%20*',
      '?vendor=framed&vendor=x',
      '?vendor=unframed',
    ]) {
      const other = await broker.http('GET', `/site/wallet-frame.html${query}`);
      expect(other.status).toBe(200);
      expect(frameAncestors(other.headers.get('content-security-policy'))).toBe("'none'");
    }
    const script = await broker.http('GET', '/site/broker.mjs');
    expect(script.headers.get('content-type')).toContain('text/javascript');
  });

  it('records a list of shop origins once, and an empty list lets no page frame it again', async () => {
    await registerVendor(broker.http, 'shop2');
    const events = async () => (await store.readStream(streams.vendor('shop2'))).length;
    const before = await events();
    const body = { origins: ['https://b.example', 'https://a.example'] };
    for (const origins of [body.origins, [...body.origins].reverse()]) {
      const res = await broker.http('PUT', '/vendors/shop2/shop-origins', {
        token: ADMIN_TOKEN,
        body: { origins },
      });
      expect(res.status).toBe(200);
    }
    expect(await events()).toBe(before + 1);
    const none = await broker.http('PUT', '/vendors/shop2/shop-origins', {
      token: ADMIN_TOKEN,
      body: { origins: [] },
    });
    expect(none.json()).toEqual({ vendorId: 'shop2', origins: [] });
    const frame = await broker.http('GET', '/site/wallet-frame.html?vendor=shop2');
    expect(frameAncestors(frame.headers.get('content-security-policy'))).toBe("'none'");
  });

  it.each([
    ['a path', ['https://shop.example/']],
    ['a wildcard', ['*']],
    ['a scheme source', ['https:']],
    ['a CSP separator in the host', ['https://a.example;script-src']],
    ['a space', ['https://a.example https://b.example']],
    ['an upper-case host', ['https://Shop.example']],
    ['a default port written out', ['https://shop.example:443']],
    ['another scheme', ['javascript://x']],
    ['not a string', [42]],
    ['not a list', 'https://shop.example'],
    ['too many', Array.from({ length: 17 }, (_, i) => `https://s${i}.example`)],
  ])('refuses %s as shop origins (400 REQUEST.INVALID), changing nothing', async (_, origins) => {
    await registerVendor(broker.http, 'strict').catch(() => undefined);
    const before = (await store.readStream(streams.vendor('strict'))).length;
    const res = await broker.http('PUT', '/vendors/strict/shop-origins', {
      token: ADMIN_TOKEN,
      body: { origins },
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ code: 'REQUEST.INVALID' });
    expect((await store.readStream(streams.vendor('strict'))).length).toBe(before);
  });

  it('sets shop origins only with the admin token, and only for a registered vendor', async () => {
    const body = { origins: ['https://evil.example'] };
    const anon = await broker.http('PUT', '/vendors/framed/shop-origins', { body });
    expect(anon.status).toBe(401);
    const unknown = await broker.http('PUT', '/vendors/nobody/shop-origins', { token: ADMIN_TOKEN, body });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'VENDOR.NOT_FOUND' });
  });

  it.each(['..%2F..%2Fpackage.json', '.env', 'broker.exe', 'nope.html'])(
    'answers 404 problem+json for /site/%s',
    async (name) => {
      const res = await broker.http('GET', `/site/${name}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    },
  );
});
