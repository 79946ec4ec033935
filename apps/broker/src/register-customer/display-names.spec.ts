import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryEventStore } from '#event-store';
import { generateSigningKey } from '#protocol';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { openBankAccount } from '../test/scenario.js';

// Names shown to people (histories, pages, logs): one that reads differently from what it is — an
// order reversed by a bidi override, an invisible character between two look-alike names — is
// refused with REQUEST.INVALID naming the field, and nothing is written.
const UNSAFE = [
  ['a right-to-left override', 'Ada \u202Egnp.exe'],
  ['a right-to-left isolate', 'Ada \u2067Reader\u2069'],
  ['a zero-width space', 'Ada\u200BReader'],
  ['a zero-width joiner', 'Ada\u200DReader'],
  ['a byte-order mark', '\uFEFFAda'],
  ['a left-to-right mark', 'Ada\u200E'],
  ['a control character', 'Ada\u0007'],
  ['a line separator', 'Ada\u2028Reader'],
] as const;

describe('display names (customer and vendor registration)', () => {
  const store = new InMemoryEventStore();
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await startBroker({ store });
  });
  afterAll(() => broker.close());

  it.each(UNSAFE)('refuses %s in a customer name, and in a vendor name', async (_what, name) => {
    const before = (await store.readAll()).length;
    const bankAccount = `acct_names_${before}`;
    const bankMandate = await openBankAccount(broker.http, bankAccount, 1_000, 'NZD');
    const afterBank = (await store.readAll()).length;
    const customer = await broker.http('POST', '/customers', { body: { name, bankAccount, bankMandate } });
    expect({ status: customer.status, body: customer.json() }).toMatchObject({
      status: 400,
      body: { code: 'REQUEST.INVALID' },
    });
    expect(customer.text).toContain('name must not contain control, bidi-override or zero-width characters');
    const key = generateSigningKey('names-k1');
    const vendor = await broker.http('POST', '/vendors', {
      token: ADMIN_TOKEN,
      body: {
        vendorId: 'names_v',
        name,
        bankAccount: 'names_bank',
        key: { keyId: key.keyId, publicKey: key.publicKey },
      },
    });
    expect({ status: vendor.status, body: vendor.json() }).toMatchObject({
      status: 400,
      body: { code: 'REQUEST.INVALID' },
    });
    expect(vendor.text).toContain('name must not contain control, bidi-override or zero-width characters');
    expect((await store.readAll()).length).toBe(afterBank);
  });

  it('takes names in any script, with accents and emoji', async () => {
    const bankMandate = await openBankAccount(broker.http, 'acct_names_ok', 1_000, 'NZD');
    for (const [i, name] of ['Zoë Ngā', 'دکتر علی', '山田 太郎', 'Ada 🙂'].entries()) {
      const res =
        i === 0
          ? await broker.http('POST', '/customers', {
              body: { name, bankAccount: 'acct_names_ok', bankMandate },
            })
          : await broker.http('POST', '/vendors', {
              token: ADMIN_TOKEN,
              body: {
                vendorId: `names_ok_${i}`,
                name,
                bankAccount: `names_ok_${i}`,
                key: { keyId: `k${i}`, publicKey: generateSigningKey(`k${i}`).publicKey },
              },
            });
      expect({ name, status: res.status }).toEqual({ name, status: 201 });
    }
  });
});
