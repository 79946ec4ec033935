import { randomUUID } from 'node:crypto';
import { newWalletNonce, preparePayment, settleAnswer, Wallet, type Payment } from '#wallet';
import { call, codeOf, must, toBase64Url, type Answer } from './api.js';

/** A demo vendor as a customer sees it: where its paid content is and what it costs. */
export interface ShopFront {
  readonly id: string;
  readonly url: string;
  /** e.g. `/articles`. */
  readonly path: string;
  readonly items: readonly string[];
  /** Price of one item in coins. */
  readonly price: number;
}

/** What came of one attempt to buy content. */
export interface Sale {
  readonly ok: boolean;
  readonly status: number;
  readonly code?: string;
  readonly receiptId?: string;
  /** The chain was held by another vendor before (a hand-off or claim happened). */
  readonly movedFrom?: string;
  readonly payment?: Payment;
  readonly headers?: Record<string, string>;
}

export interface PurchaseTerms {
  readonly coins: number;
  readonly coinValue: number;
  readonly currency: string;
  /** The chains' lifetime in days (the broker's default when absent). */
  readonly expiresInDays?: number;
}

interface Registered {
  readonly customerId: string;
  readonly token: string;
}

export abstract class DemoCustomer {
  protected constructor(
    readonly name: string,
    readonly token: string,
    readonly wallet: 'client' | 'server',
  ) {}

  static async register(
    brokerUrl: string,
    adminToken: string,
    name: string,
    wallet: 'client' | 'server',
    balance: number,
  ): Promise<DemoCustomer> {
    const bankAccount = `acct_${name}`;
    // The bank shows the account's mandate once; registering proves control of the account with it.
    const { mandate: bankMandate } = await must<{ mandate: string }>(`${brokerUrl}/bank/accounts`, {
      token: adminToken,
      body: { accountId: bankAccount, currency: 'NZD', balance },
    });
    const { token } = await must<Registered>(`${brokerUrl}/customers`, {
      body: { name, bankAccount, bankMandate },
    });
    return wallet === 'client' ? new ClientCustomer(name, token) : new ServerCustomer(name, token);
  }

  abstract buyCoins(brokerUrl: string, terms: PurchaseTerms): Promise<number>;
  abstract buyContent(shop: ShopFront, item: string): Promise<Sale>;
}

function saleOf(answer: Answer, extra: Partial<Sale> = {}): Sale {
  const receiptId = answer.headers.get('x-netpay-receipt-id') ?? undefined;
  const code = codeOf(answer);
  return {
    ok: answer.status === 200,
    status: answer.status,
    ...(code ? { code } : {}),
    ...(receiptId ? { receiptId } : {}),
    ...extra,
  };
}

/** Holds its chains in the wallet SDK and pays with paywords it derives itself. */
export class ClientCustomer extends DemoCustomer {
  readonly purse = new Wallet();

  constructor(name: string, token: string) {
    super(name, token, 'client');
  }

  async buyCoins(brokerUrl: string, terms: PurchaseTerms): Promise<number> {
    const answer = await must<{ chains: { seed: string; touchstone: never }[]; amount: number }>(
      `${brokerUrl}/purchases`,
      { token: this.token, body: { ...terms, wallet: 'client', walletNonce: newWalletNonce() } },
    );
    for (const chain of answer.chains) await this.purse.addChain(chain);
    return answer.amount;
  }

  /**
   * Pays the price from one chain under the wallet's payword rule: reserved for this purchase,
   * settled with the vendor's answer (a refusal that recorded nothing gives the coins back once
   * its deadline has passed).
   */
  async buyContent(shop: ShopFront, item: string): Promise<Sale> {
    const payment = await preparePayment(this.purse, shop.price, {
      vendorId: shop.id,
      resource: `GET ${shop.path}/${item}`,
    });
    const answer = await this.send(shop, item, payment);
    settleAnswer(this.purse, payment.purchaseKey, {
      ...answer,
      receiptId: answer.headers.get('x-netpay-receipt-id'),
    });
    const movedFrom = payment.lastVendor && payment.lastVendor !== shop.id ? payment.lastVendor : undefined;
    return saleOf(answer, { payment, ...(movedFrom ? { movedFrom } : {}) });
  }

  /** Sends a payment as the wallet prepared it (also used to replay or tamper with one). */
  send(shop: ShopFront, item: string, payment: Payment): Promise<Answer> {
    const { chainId, position, payword } = payment.proof;
    return call(`${shop.url}${shop.path}/${item}`, {
      headers: {
        ...payment.headers,
        'x-netpay-payment': `${chainId}.${position}.${payword}`,
        'x-netpay-touchstone': toBase64Url(payment.touchstone),
      },
    });
  }
}

/** Leaves its chain with the broker; authorises each vendor it visits with a checkout token. */
export class ServerCustomer extends DemoCustomer {
  private readonly checkoutTokens = new Map<string, string>();
  private lastVendor: string | undefined;

  constructor(name: string, token: string) {
    super(name, token, 'server');
  }

  async buyCoins(brokerUrl: string, terms: PurchaseTerms): Promise<number> {
    const answer = await must<{ amount: number }>(`${brokerUrl}/purchases`, {
      token: this.token,
      body: { ...terms, wallet: 'server' },
    });
    return answer.amount;
  }

  async authorise(brokerUrl: string, vendorIds: readonly string[]): Promise<void> {
    for (const vendorId of vendorIds) {
      const { checkoutToken } = await must<{ checkoutToken: string }>(`${brokerUrl}/wallet/vendors`, {
        token: this.token,
        body: { vendorId },
      });
      this.checkoutTokens.set(vendorId, checkoutToken);
    }
  }

  async buyContent(shop: ShopFront, item: string): Promise<Sale> {
    const token = this.checkoutTokens.get(shop.id);
    if (!token) throw new Error(`${this.name} has not authorised ${shop.id}`);
    const answer = await call(`${shop.url}${shop.path}/${item}`, {
      headers: { 'x-netpay-checkout': token, 'idempotency-key': randomUUID() },
    });
    const movedFrom = this.lastVendor && this.lastVendor !== shop.id ? this.lastVendor : undefined;
    if (answer.status === 200) this.lastVendor = shop.id;
    return saleOf(answer, movedFrom && answer.status === 200 ? { movedFrom } : {});
  }
}
