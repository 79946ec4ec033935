import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { generateSigningKey } from '#protocol';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../../broker/src/test/broker-harness.js';
import { buy, registerCustomer } from '../../broker/src/test/scenario.js';
import { parseBrokerKeys } from './cli/broker-keys.js';
import { replayStore } from './cli/replay.js';
import { Audit } from './core/audit.js';
import type { AuditReport } from './core/report.js';

/**
 * The auditor reads what the real broker writes (not only the fixtures of its
 * own tests): register, buy client- and server-side chains, revoke, re-issue.
 * The broker's keys come from its GET /keys, as an operator would fetch them.
 */
describe('audit of a history written by the real broker', () => {
  const store = new InMemoryEventStore();
  let broker: TestBroker;
  let keysJson = '';

  beforeAll(async () => {
    broker = await startBroker({ store });
    const customer = await registerCustomer(broker.http);
    const key = generateSigningKey('shop_k1');
    await broker.http('POST', '/vendors', {
      token: ADMIN_TOKEN,
      body: {
        vendorId: 'shop',
        name: 'Shop',
        bankAccount: 'acct_shop',
        key: { keyId: key.keyId, publicKey: key.publicKey },
      },
    });
    const client = await buy(broker.http, customer, { coins: 80 });
    expect(client.status).toBe(201);
    expect((await buy(broker.http, customer, { coins: 10, wallet: 'server' })).status).toBe(201);
    const [first, second] = client.json<{ chains: { chainId: string }[] }>().chains;
    await broker.http('POST', `/chains/${first!.chainId}/revoke`, {
      token: ADMIN_TOKEN,
      body: { reason: 'fraud' },
    });
    await broker.http('POST', `/chains/${second!.chainId}/reissue`, {
      token: customer.token,
      key: 'reissue-key-0001',
    });
    keysJson = (await broker.http('GET', '/keys')).text;
  });

  afterAll(async () => {
    await broker?.close();
  });

  async function audit(): Promise<AuditReport> {
    const a = new Audit({ brokerKeys: parseBrokerKeys(keysJson, 'GET /keys') });
    await replayStore(store, a);
    return a.finish();
  }

  it('finds nothing wrong, with the bank ledger cross-checked', async () => {
    const report = await audit();
    expect(report.violations).toEqual([]);
    expect(report.warnings).toEqual([]);
    expect(report.chains).toMatchObject({ issued: 4, revoked: 1, closed: 1, serverWallets: 1 });
  });

  it('balances: customers paid the value issued, the re-issue moved value without new payment', async () => {
    const { NZD } = (await audit()).money;
    expect(NZD).toBeDefined();
    expect(NZD!.customerPayments).toBe(450);
    expect(NZD!.valueIssued - NZD!.valueReissued).toBe(NZD!.customerPayments);
    expect(NZD!.outstandingLiability).toBe(450);
  });
});
