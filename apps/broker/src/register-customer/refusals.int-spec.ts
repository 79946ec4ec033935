import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_TOKEN, startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';
import { bankBalance, registerCustomer, type TestCustomer } from '../test/scenario.js';

// Unauthorised and malformed calls are refused with stable codes and change nothing in the store.
describe('refused calls (JetStream + Redis)', () => {
  let stack: IntStack;
  let broker: TestBroker;
  let customer: TestCustomer;

  beforeAll(async () => {
    stack = await intStack();
    broker = await startBroker({ store: stack.store, config: stack.config, idempotency: 'redis' });
    customer = await registerCustomer(broker.http, 10_000);
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  const good = { coins: 10, coinValue: 5, currency: 'NZD', wallet: 'client' };
  const cases: [
    string,
    () => Promise<{ status: number; json(): Record<string, unknown> }>,
    number,
    string,
  ][] = [
    ['no token', () => broker.http('POST', '/purchases', { body: good }), 401, 'CUSTOMER.UNAUTHORISED'],
    [
      'a forged token',
      () => broker.http('POST', '/purchases', { body: good, token: `${customer.token.slice(0, -2)}xx` }),
      401,
      'CUSTOMER.UNAUTHORISED',
    ],
    [
      'the admin token as customer',
      () => broker.http('POST', '/purchases', { body: good, token: ADMIN_TOKEN }),
      401,
      'CUSTOMER.UNAUTHORISED',
    ],
    [
      'an unknown field',
      () => broker.http('POST', '/purchases', { body: { ...good, price: 1 }, token: customer.token }),
      400,
      'REQUEST.INVALID',
    ],
    [
      'zero coins',
      () => broker.http('POST', '/purchases', { body: { ...good, coins: 0 }, token: customer.token }),
      400,
      'REQUEST.INVALID',
    ],
    [
      'a fractional coin value',
      () => broker.http('POST', '/purchases', { body: { ...good, coinValue: 1.5 }, token: customer.token }),
      400,
      'REQUEST.INVALID',
    ],
    [
      'a string amount',
      () => broker.http('POST', '/purchases', { body: { ...good, coins: '10' }, token: customer.token }),
      400,
      'REQUEST.INVALID',
    ],
    [
      'a lowercase currency',
      () => broker.http('POST', '/purchases', { body: { ...good, currency: 'nzd' }, token: customer.token }),
      400,
      'REQUEST.INVALID',
    ],
    [
      'a currency not sold',
      () => broker.http('POST', '/purchases', { body: { ...good, currency: 'JPY' }, token: customer.token }),
      422,
      'PURCHASE.CURRENCY_NOT_SOLD',
    ],
    [
      'too many coins',
      () =>
        broker.http('POST', '/purchases', {
          body: { ...good, coins: 1_000_000, coinValue: 1_000_000 },
          token: customer.token,
        }),
      422,
      'PURCHASE.TOO_LARGE',
    ],
    [
      'no Idempotency-Key',
      () => broker.http('POST', '/purchases', { body: good, token: customer.token, key: false }),
      400,
      'IDEMPOTENCY.KEY_REQUIRED',
    ],
    [
      'a vendor registered without admin or its registration token',
      () => broker.http('POST', '/vendors', { body: { vendorId: 'v' }, token: customer.token }),
      401,
      'VENDOR.REGISTRATION_UNAUTHORISED',
    ],
    [
      'a bank account opened without admin',
      () =>
        broker.http('POST', '/bank/accounts', { body: { accountId: 'x', currency: 'NZD', balance: 1e9 } }),
      401,
      'ADMIN.UNAUTHORISED',
    ],
    [
      'a revocation without admin',
      () => broker.http('POST', '/chains/ch_x/revoke', { body: { reason: 'x' }, token: customer.token }),
      401,
      'ADMIN.UNAUTHORISED',
    ],
    [
      'a malformed registration',
      () => broker.http('POST', '/customers', { body: { name: '', bankAccount: 'a b' } }),
      400,
      'REQUEST.INVALID',
    ],
    [
      'broken JSON',
      () => broker.http('POST', '/customers', { raw: '{"name": "Ada", ' }),
      400,
      'REQUEST.INVALID',
    ],
  ];

  it.each(cases)('refuses %s and changes nothing', async (_name, call, status, code) => {
    const before = await stack.store.readAll();
    const res = await call();
    expect({ status: res.status, code: res.json().code }).toEqual({ status, code });
    expect(await stack.store.readAll()).toEqual(before);
    expect(await bankBalance(broker.http, customer.bankAccount)).toBe(10_000);
  });
});
