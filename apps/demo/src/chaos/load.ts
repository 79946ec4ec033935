// Steady load for the fault suite: client-side shoppers (spends, hand-offs between vendors),
// server-side shoppers (debits) and purchases, each acknowledged spend recorded by its receipt.
// A request whose outcome is unknown (an error, a 5xx, a time-out) is sent again as it was —
// same payment, same Idempotency-Key — as the wallet SDK does, until it is answered.
import { randomUUID } from 'node:crypto';
import { newWalletNonce, type Payment, preparePayment, settleAnswer, Wallet } from '#wallet';
import type { Touchstone } from '#protocol';
import { call, codeOf, type Answer } from '../api.js';
import { Random } from '../random.js';

export interface Shop {
  readonly id: string;
  readonly url: string;
  readonly path: string;
  readonly items: readonly string[];
  readonly price: number;
}

/** One spend a vendor acknowledged (a 200 with its signed receipt). */
export interface Ack {
  readonly receiptId: string;
  readonly vendorId: string;
  readonly chainId: string;
  readonly fromIndex: number;
  readonly toIndex: number;
}

export interface LoadWorld {
  readonly brokerUrl: string;
  readonly adminToken: string;
  readonly shops: readonly Shop[];
}

/** Everything the load saw. */
export class LoadLedger {
  readonly acks = new Map<string, Ack>();
  /** Two different receipts for overlapping positions of one chain (must stay 0). */
  doubleAcknowledged = 0;
  purchases = 0;
  reissues = 0;
  attempts = 0;
  /** Answers that were not a sale, by code (retried or given up). */
  readonly refusals = new Map<string, number>();
  private readonly byChain = new Map<string, Ack[]>();

  ack(receipt: Ack): void {
    if (this.acks.has(receipt.receiptId)) return; // a retry answered with the same receipt
    const mine = this.byChain.get(receipt.chainId) ?? [];
    if (mine.some((a) => a.fromIndex <= receipt.toIndex && receipt.fromIndex <= a.toIndex)) {
      this.doubleAcknowledged += 1;
    }
    mine.push(receipt);
    this.byChain.set(receipt.chainId, mine);
    this.acks.set(receipt.receiptId, receipt);
  }

  refusal(code: string): void {
    this.refusals.set(code, (this.refusals.get(code) ?? 0) + 1);
  }
}

function receiptOf(answer: Answer): Ack | undefined {
  const header = answer.headers.get('x-netpay-receipt');
  if (!header) return undefined;
  const r = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Ack;
  return {
    receiptId: r.receiptId,
    vendorId: r.vendorId,
    chainId: r.chainId,
    fromIndex: r.fromIndex,
    toIndex: r.toIndex,
  };
}

/** A 5xx, a time-out, a lost connection, or a request still running: send it again as it was. */
function retryable(answer: Answer | undefined): boolean {
  if (answer === undefined) return true;
  if (answer.status >= 500) return true;
  const code = codeOf(answer);
  return (
    answer.status === 408 ||
    code === 'IDEMPOTENCY.IN_PROGRESS' ||
    code === 'REQUEST.DEADLINE_EXCEEDED' ||
    code === 'RATE.LIMITED'
  );
}

async function attempt(url: string, options: Parameters<typeof call>[1]): Promise<Answer | undefined> {
  try {
    return await call(url, options);
  } catch {
    return undefined; // refused connection, reset, time-out: outcome unknown
  }
}

async function register(world: LoadWorld, name: string): Promise<string> {
  const bankAccount = `acct_${name}`;
  const opened = await call<{ mandate: string }>(`${world.brokerUrl}/bank/accounts`, {
    token: world.adminToken,
    body: { accountId: bankAccount, currency: 'NZD', balance: 10_000_000 },
  });
  if (opened.status !== 201) throw new Error(`bank account ${name}: ${opened.status}`);
  const registered = await call<{ token: string }>(`${world.brokerUrl}/customers`, {
    body: { name, bankAccount, bankMandate: opened.body.mandate },
  });
  if (registered.status !== 201) throw new Error(`register ${name}: ${registered.status}`);
  return registered.body.token;
}

const TERMS = { coins: 100, coinValue: 5, currency: 'NZD' } as const;

export abstract class Shopper {
  protected readonly rng: Random;
  protected favourite: Shop;

  protected constructor(
    protected readonly world: LoadWorld,
    protected readonly ledger: LoadLedger,
    readonly name: string,
    protected readonly token: string,
    seed: number,
  ) {
    this.rng = new Random(seed);
    this.favourite = this.rng.pick(world.shops);
  }

  /** One step of shopping; resolves whatever happened (a failure is retried at the next step). */
  abstract step(): Promise<void>;
  /** Buys content at `shop` until it is paid (the probe's way: retries until answered). */
  abstract buyAt(shop: Shop): Promise<boolean>;

  protected nextShop(): Shop {
    if (this.rng.next() < 0.3) this.favourite = this.rng.pick(this.world.shops);
    return this.favourite;
  }

  /** A purchase, retried with the same key and body until it is answered. */
  protected async purchase(wallet: 'client' | 'server'): Promise<Answer> {
    const key = randomUUID();
    const body = { ...TERMS, wallet, ...(wallet === 'client' ? { walletNonce: newWalletNonce() } : {}) };
    for (;;) {
      const answer = await attempt(`${this.world.brokerUrl}/purchases`, {
        token: this.token,
        body,
        idempotencyKey: key,
      });
      if (answer && !retryable(answer)) {
        if (answer.status !== 201)
          throw new Error(`purchase: ${answer.status} ${JSON.stringify(answer.body)}`);
        this.ledger.purchases += 1;
        return answer;
      }
      await pause(250);
    }
  }
}

export class ClientShopper extends Shopper {
  readonly wallet = new Wallet();
  private pending: { payment: Payment; shop: Shop; item: string; key: string } | undefined;

  static async create(
    world: LoadWorld,
    ledger: LoadLedger,
    name: string,
    seed: number,
  ): Promise<ClientShopper> {
    const shopper = new ClientShopper(world, ledger, name, await register(world, name), seed);
    await shopper.buyCoins();
    return shopper;
  }

  async buyCoins(): Promise<void> {
    const answer = await this.purchase('client');
    const bought = answer.body as {
      chains: { chainId: string; seed?: string; touchstone: Touchstone }[];
      withheld?: string[];
    };
    for (const chain of bought.chains) {
      if (chain.seed) {
        await this.wallet.addChain({ seed: chain.seed, touchstone: chain.touchstone });
        continue;
      }
      // The first answer (with the seeds) was lost: the replay withholds them; re-issue the chain.
      await this.reissue(chain.chainId);
    }
  }

  private async reissue(chainId: string): Promise<void> {
    const key = randomUUID();
    for (;;) {
      const answer = await attempt(`${this.world.brokerUrl}/chains/${chainId}/reissue`, {
        token: this.token,
        method: 'POST',
        idempotencyKey: key,
      });
      if (answer && !retryable(answer)) {
        const chain = (answer.body as { chain?: { chainId: string; seed?: string; touchstone: Touchstone } })
          .chain;
        this.ledger.reissues += 1;
        if (chain?.seed) await this.wallet.addChain({ seed: chain.seed, touchstone: chain.touchstone });
        else if (chain) await this.reissue(chain.chainId);
        return;
      }
      await pause(250);
    }
  }

  async step(): Promise<void> {
    if (!this.pending) {
      const shop = this.nextShop();
      this.pending = await this.prepare(shop, this.rng.pick(shop.items));
      if (!this.pending) {
        await this.buyCoins();
        return;
      }
    }
    await this.send();
  }

  async buyAt(shop: Shop): Promise<boolean> {
    if (!this.pending) this.pending = await this.prepare(shop, shop.items[0] ?? 'x');
    if (!this.pending) {
      await this.buyCoins();
      this.pending = await this.prepare(shop, shop.items[0] ?? 'x');
    }
    const target = this.pending?.shop.id;
    const paid = await this.send();
    return paid && target === shop.id;
  }

  private async prepare(shop: Shop, item: string): Promise<ClientShopper['pending']> {
    const key = randomUUID();
    try {
      const payment = await preparePayment(this.wallet, shop.price, {
        vendorId: shop.id,
        purchaseKey: key,
        resource: `GET ${shop.path}/${item}`,
      });
      return { payment, shop, item, key };
    } catch {
      return undefined; // no coins left: buy more
    }
  }

  /** Sends the pending payment; true when it was paid (then it is settled in the wallet). */
  private async send(): Promise<boolean> {
    const p = this.pending;
    if (!p) return false;
    // The same purchase again: the same paywords, with a deadline of this try's own.
    const payment = await preparePayment(this.wallet, p.payment.count, {
      vendorId: p.shop.id,
      purchaseKey: p.key,
      resource: `GET ${p.shop.path}/${p.item}`,
    });
    this.ledger.attempts += 1;
    const answer = await attempt(`${p.shop.url}${p.shop.path}/${p.item}`, {
      headers: { ...payment.headers, 'idempotency-key': p.key },
    });
    if (answer?.status === 200) {
      const receipt = receiptOf(answer);
      if (receipt) this.ledger.ack(receipt);
      settleAnswer(this.wallet, p.key, { ...answer, receiptId: answer.headers.get('x-netpay-receipt-id') });
      this.pending = undefined;
      return true;
    }
    this.ledger.refusal(answer ? (codeOf(answer) ?? `HTTP.${answer.status}`) : 'NETWORK');
    if (retryable(answer)) return false; // the same payment again at the next step
    // A definite refusal: settled; the paywords come back only if the vendor recorded nothing
    // and the last deadline has passed, else the wallet goes on after them.
    settleAnswer(this.wallet, p.key, answer);
    this.pending = undefined;
    return false;
  }
}

export class ServerShopper extends Shopper {
  private readonly tokens = new Map<string, string>();
  private pending: { shop: Shop; item: string; key: string } | undefined;
  /** The code of the last answer that was not a sale (what a probe that does not heal saw). */
  lastRefusal: string | undefined;

  static async create(
    world: LoadWorld,
    ledger: LoadLedger,
    name: string,
    seed: number,
  ): Promise<ServerShopper> {
    const shopper = new ServerShopper(world, ledger, name, await register(world, name), seed);
    await shopper.purchase('server');
    for (const shop of world.shops) {
      const answer = await call<{ checkoutToken: string }>(`${world.brokerUrl}/wallet/vendors`, {
        token: shopper.token,
        body: { vendorId: shop.id },
      });
      if (answer.status !== 201) throw new Error(`authorise ${shop.id}: ${answer.status}`);
      shopper.tokens.set(shop.id, answer.body.checkoutToken);
    }
    return shopper;
  }

  async step(): Promise<void> {
    if (!this.pending) {
      const shop = this.nextShop();
      this.pending = { shop, item: this.rng.pick(shop.items), key: randomUUID() };
    }
    await this.send();
  }

  async buyAt(shop: Shop): Promise<boolean> {
    if (!this.pending) this.pending = { shop, item: shop.items[0] ?? 'x', key: randomUUID() };
    const target = this.pending.shop.id;
    return (await this.send()) && target === shop.id;
  }

  private async send(): Promise<boolean> {
    const p = this.pending;
    if (!p) return false;
    this.ledger.attempts += 1;
    const answer = await attempt(`${p.shop.url}${p.shop.path}/${p.item}`, {
      headers: { 'x-netpay-checkout': this.tokens.get(p.shop.id) ?? '', 'idempotency-key': p.key },
    });
    if (answer?.status === 200) {
      const receipt = receiptOf(answer);
      if (receipt) this.ledger.ack(receipt);
      this.pending = undefined;
      return true;
    }
    const code = answer ? (codeOf(answer) ?? `HTTP.${answer.status}`) : 'NETWORK';
    this.ledger.refusal(code);
    this.lastRefusal = code;
    if (retryable(answer)) return false;
    this.pending = undefined;
    if (code === 'WALLET.NO_PAYWORDS' || code === 'CHECKOUT.NO_COINS') await this.purchase('server');
    return false;
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Shoppers stepping in a loop; `hold()` lets what is in flight finish and stops new steps. */
export class SteadyLoad {
  private running = false;
  private holding = false;
  private loops: Promise<void>[] = [];
  private idle = 0;
  private wake: (() => void)[] = [];

  constructor(
    private readonly shoppers: readonly Shopper[],
    private readonly thinkMs: number,
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.shoppers.map((s) => this.loop(s));
  }

  private async loop(shopper: Shopper): Promise<void> {
    while (this.running) {
      if (this.holding) {
        this.idle += 1;
        await new Promise<void>((r) => this.wake.push(r));
        this.idle -= 1;
        continue;
      }
      try {
        await shopper.step();
      } catch {
        await pause(500); // e.g. a purchase refused outright: try again later
      }
      await pause(this.thinkMs);
    }
  }

  /** Stops new steps and waits for those in flight (each is bounded by the call time-out). */
  async hold(): Promise<void> {
    this.holding = true;
    while (this.idle < this.shoppers.length) await pause(50);
  }

  release(): void {
    this.holding = false;
    for (const w of this.wake.splice(0)) w();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.release();
    await Promise.all(this.loops);
  }
}
