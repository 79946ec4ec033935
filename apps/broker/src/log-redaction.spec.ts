import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { generateSigningKey } from '#protocol';
import { ADMIN_TOKEN, startBroker, type TestBroker } from './test/broker-harness.js';
import { authoriseVendor, registerCustomer, registerVendor } from './test/scenario.js';

interface RequestLine {
  level: string;
  context?: string;
  method?: string;
  route?: string;
  path?: string;
  status?: number;
  durationMs?: number;
  correlationId?: string;
}

/**
 * The broker serving real HTTP at the most talkative level: every request is logged as one JSON
 * line, and no checkout token, bearer token, admin token or private key reaches any line, even
 * when a client puts them where they do not belong (query, wrong header, broken JSON body).
 */
describe('broker logs (pino): request lines without secrets', () => {
  let broker: TestBroker;
  const secrets: Record<string, string> = {};

  beforeAll(async () => {
    broker = await startBroker({ store: new InMemoryEventStore(), logLevel: 'verbose' });
    const { http } = broker;
    const customer = await registerCustomer(http); // admin bearer (bank account), mandate, customer token
    secrets.customerToken = customer.token;
    secrets.adminToken = ADMIN_TOKEN;
    const vendorKey = await registerVendor(http, 'v_logs_1');
    secrets.vendorPrivateKey = vendorKey.privateKey;
    secrets.checkoutToken = await authoriseVendor(http, customer, 'v_logs_1');
    secrets.signingKey = broker.config.signingKey ?? '';
    const stray = generateSigningKey('stray-k1').privateKey;
    secrets.strayPrivateKey = stray;

    // Secrets where they do not belong: a checkout token as a bearer, tokens in the query, a
    // private key in a refused body and in a body that is not JSON at all.
    await http('GET', '/wallet', { token: secrets.checkoutToken });
    await http('GET', `/wallet?token=${encodeURIComponent(customer.token)}`);
    await http('POST', '/vendors', {
      token: ADMIN_TOKEN,
      body: {
        vendorId: 'v_logs_2',
        name: 'x',
        bankAccount: 'b',
        key: { keyId: 'k', publicKey: 'p', privateKey: stray },
      },
    });
    await http('POST', '/customers', { raw: `{"privateKey": "${stray}", "token": "${customer.token}` });
    await http('GET', '/wallet', {
      token: customer.token,
      headers: { 'x-correlation-id': 'corr-logs-0001' },
    });
    await http('GET', '/favicon.ico'); // a browser's, on every page: quiet like the health checks
  });
  afterAll(() => broker.close());

  it('writes one JSON line per request with method, route, status, duration and correlation id', () => {
    const requests = broker.logLines
      .map((l) => JSON.parse(l) as RequestLine)
      .filter((l) => l.context === 'Http');
    expect(requests.length).toBeGreaterThanOrEqual(9);
    const wallet = requests.find((l) => l.correlationId === 'corr-logs-0001');
    expect(wallet).toMatchObject({
      level: 'log',
      method: 'GET',
      route: '/wallet',
      path: '/wallet',
      status: 200,
    });
    expect(typeof wallet?.durationMs).toBe('number');
    const refused = requests.find((l) => l.route === '/vendors' && l.status === 400);
    expect(refused?.correlationId).toMatch(/^[0-9a-f-]{36}$/); // given one when the client sent none
    const icon = requests.find((l) => l.path === '/favicon.ico');
    expect(icon === undefined || icon.level === 'debug').toBe(true);
  });

  it('never writes a checkout token, a bearer token, the admin token or a private key', () => {
    expect(Object.keys(secrets)).toHaveLength(6);
    const text = broker.logLines.join('\n');
    expect(text).toContain('/wallet'); // the lines are there …
    for (const [name, secret] of Object.entries(secrets)) {
      expect({ name, leaked: text.includes(secret) }).toEqual({ name, leaked: false }); // … the secrets not
      expect(text).not.toContain(secret.slice(8, 40));
    }
  });
});
