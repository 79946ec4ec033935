// Test steps in the broker's words: register, fund, buy.
import { randomUUID } from 'node:crypto';
import {
  createSigner,
  generateSigningKey,
  newNonce,
  signCheckoutRequest,
  type SignedCheckoutRequest,
  type SigningKey,
} from '#protocol';
import { ADMIN_TOKEN, type Http, type TestResponse } from './broker-harness.js';

export interface TestCustomer {
  readonly customerId: string;
  readonly token: string;
  readonly bankAccount: string;
}

/** Opens an account at the simulated bank; answers its mandate (shown once), the proof of control. */
export async function openBankAccount(
  http: Http,
  accountId: string,
  balance: number,
  currency = 'NZD',
): Promise<string> {
  const res = await http('POST', '/bank/accounts', {
    token: ADMIN_TOKEN,
    body: { accountId, currency, balance },
  });
  if (res.status !== 201) throw new Error(`open account: ${res.status} ${res.text}`);
  return res.json<{ mandate: string }>().mandate;
}

export async function registerCustomer(
  http: Http,
  balance = 10_000,
  currency = 'NZD',
): Promise<TestCustomer> {
  const bankAccount = `acct_${randomUUID().replaceAll('-', '')}`;
  const bankMandate = await openBankAccount(http, bankAccount, balance, currency);
  const res = await http('POST', '/customers', { body: { name: 'Ada Reader', bankAccount, bankMandate } });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${res.text}`);
  const { customerId, token } = res.json<{ customerId: string; token: string }>();
  return { customerId, token, bankAccount };
}

export interface BuyBody {
  coins: number;
  coinValue: number;
  currency: string;
  wallet: 'client' | 'server';
  vendors?: string[];
  walletNonce?: string;
  expiresInDays?: number;
}

export function buy(
  http: Http,
  customer: TestCustomer,
  body: Partial<BuyBody> = {},
  key?: string,
): Promise<TestResponse> {
  const full: BuyBody = { coins: 20, coinValue: 5, currency: 'NZD', wallet: 'client', ...body };
  return http('POST', '/purchases', { token: customer.token, body: full, ...(key ? { key } : {}) });
}

export async function bankBalance(http: Http, accountId: string): Promise<number> {
  const res = await http('GET', `/bank/accounts/${accountId}`, { token: ADMIN_TOKEN });
  return res.json<{ balance: number }>().balance;
}

export async function registerVendor(
  http: Http,
  vendorId: string,
): Promise<{ keyId: string; publicKey: string; privateKey: string }> {
  const key = generateSigningKey(`${vendorId}-k1`);
  const res = await http('POST', '/vendors', {
    token: ADMIN_TOKEN,
    body: {
      vendorId,
      name: `Vendor ${vendorId}`,
      bankAccount: `${vendorId}_bank`,
      key: { keyId: key.keyId, publicKey: key.publicKey },
    },
  });
  if (res.status !== 201) throw new Error(`register vendor: ${res.status} ${res.text}`);
  return key;
}

export async function authoriseVendor(http: Http, customer: TestCustomer, vendorId: string): Promise<string> {
  const res = await http('POST', '/wallet/vendors', { token: customer.token, body: { vendorId } });
  if (res.status !== 201) throw new Error(`authorise vendor: ${res.status} ${res.text}`);
  return res.json<{ checkoutToken: string }>().checkoutToken;
}

/** A wallet checkout request signed by the vendor's registered key, as a vendor sends it. */
export function signedCheckout(
  key: SigningKey,
  vendorId: string,
  checkoutToken: string,
  coins: number,
  at: Date = new Date(),
): SignedCheckoutRequest {
  return signCheckoutRequest(
    { vendorId, checkoutToken, coins, at: at.toISOString(), nonce: newNonce(), vendorKeyId: key.keyId },
    createSigner(key),
  );
}
