import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBroker, type TestBroker } from '../test/broker-harness.js';
import { type IntStack, intStack } from '../test/int-stack.js';
import { bankBalance, buy, openBankAccount } from '../test/scenario.js';

/** A boot account's mandate that ends in the character a careless tamper would put there. */
const X_MANDATE = 'boot-mandate-012345678x';

/** The mandate with its last character changed: always a different string. */
function tampered(mandate: string): string {
  return `${mandate.slice(0, -1)}${mandate.endsWith('x') ? 'y' : 'x'}`;
}

/**
 * Nobody buys on someone else's bank account: registering names the account AND shows the
 * mandate the bank issued for it, which only the account's owner was given (JetStream + Redis).
 */
describe('registering proves control of the bank account', () => {
  let stack: IntStack;
  let broker: TestBroker;

  beforeAll(async () => {
    stack = await intStack({
      BANK_ACCOUNTS: `boot_acct:NZD:5000:boot-mandate-0123456789,x_acct:NZD:5000:${X_MANDATE}`,
    });
    broker = await startBroker({ store: stack.store, config: stack.config, idempotency: 'redis' });
  });
  afterAll(async () => {
    await broker?.close();
    await stack?.dispose();
  });

  const register = (body: Record<string, unknown>) => broker.http('POST', '/customers', { body });

  it('someone else’s account is refused with a stable code and nothing is registered or charged', async () => {
    const victim = `acct_${randomUUID().replaceAll('-', '')}`;
    const victimMandate = await openBankAccount(broker.http, victim, 10_000);
    const attackerAccount = `acct_${randomUUID().replaceAll('-', '')}`;
    const attackerMandate = await openBankAccount(broker.http, attackerAccount, 10_000);
    const before = await stack.store.readAll();

    const noProof = await register({ name: 'Mallory', bankAccount: victim });
    expect({ status: noProof.status, code: noProof.json().code }).toEqual({
      status: 400,
      code: 'REQUEST.INVALID',
    });
    for (const bankMandate of [attackerMandate, tampered(victimMandate), 'guessed-mandate-0000']) {
      const refused = await register({ name: 'Mallory', bankAccount: victim, bankMandate });
      expect({ status: refused.status, code: refused.json().code }).toEqual({
        status: 403,
        code: 'BANK.MANDATE_INVALID',
      });
    }
    // An account that does not exist answers the same: asking tells nothing.
    const unknown = await register({
      name: 'Mallory',
      bankAccount: 'no_such_account',
      bankMandate: attackerMandate,
    });
    expect(unknown.json()).toMatchObject({ code: 'BANK.MANDATE_INVALID' });

    const after = await stack.store.readAll();
    const customers = (events: readonly { streamName: string }[]) =>
      events.filter((e) => e.streamName.startsWith('customer-')).length;
    expect(customers(after)).toBe(customers(before));
    expect(await bankBalance(broker.http, victim)).toBe(10_000);

    // The owner, with the mandate shown to them once, registers and buys.
    const owner = await register({ name: 'Victor', bankAccount: victim, bankMandate: victimMandate });
    expect(owner.status).toBe(201);
    const { customerId, token } = owner.json<{ customerId: string; token: string }>();
    expect((await buy(broker.http, { customerId, token, bankAccount: victim }, { coins: 4 })).status).toBe(
      201,
    );
    expect(await bankBalance(broker.http, victim)).toBe(10_000 - 20);
  });

  // The bank's mandates end in any of 64 characters: one that ends in "x" once made the loop
  // above send the true mandate as the "tampered" one (201 in 1 run of 64).
  it('a mandate with one character changed is refused, whatever its last character', async () => {
    const refused = await register({
      name: 'Mallory',
      bankAccount: 'x_acct',
      bankMandate: tampered(X_MANDATE),
    });
    expect({ status: refused.status, code: refused.json().code }).toEqual({
      status: 403,
      code: 'BANK.MANDATE_INVALID',
    });
    const owner = await register({ name: 'Xavier', bankAccount: 'x_acct', bankMandate: X_MANDATE });
    expect(owner.status).toBe(201);
  });

  it('a BANK_ACCOUNTS entry names its mandate; the bank keeps only its hash', async () => {
    const wrong = await register({
      name: 'Ada',
      bankAccount: 'boot_acct',
      bankMandate: 'boot-mandate-9999999999',
    });
    expect(wrong.json()).toMatchObject({ code: 'BANK.MANDATE_INVALID' });
    const right = await register({
      name: 'Ada',
      bankAccount: 'boot_acct',
      bankMandate: 'boot-mandate-0123456789',
    });
    expect(right.status).toBe(201);
    const ledger = await stack.store.readStream('bankaccount-boot_acct');
    expect(JSON.stringify(ledger.map((e) => e.data))).not.toContain('boot-mandate-0123456789');
  });
});
