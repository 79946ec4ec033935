import { generateChain, type Touchstone } from '#protocol';
import { newWalletNonce } from '#wallet';
import { call, must, mustRetrying, toBase64Url } from './api.js';

/**
 * Test data of a load test, prepared before its measured phase (`npm run load`): each k6 VU
 * owns one bundle — its own customers and chains — so no two VUs ever spend the same chain.
 */

/** A vendor as the load test sees it: where its paid content is and what one item costs. */
export interface LoadShop {
  readonly id: string;
  readonly url: string;
  /** e.g. `/articles`. */
  readonly path: string;
  readonly items: readonly string[];
  /** Coins per item (the vendor's `X-NetPay-Price`). */
  readonly price: number;
}

/** A client-side chain with every payword, so k6 sends words instead of hashing. */
export interface SeededChain {
  readonly chainId: string;
  /** base64url(JSON touchstone): the `X-NetPay-Touchstone` header as is. */
  readonly touchstone: string;
  /** n */
  readonly length: number;
  /** `paywords[i - 1]` = W[i], lowercase hex, i = 1 … n. */
  readonly paywords: readonly string[];
}

/** A server-side wallet: the broker keeps the chain; each vendor got a checkout token. */
export interface SeededServerWallet {
  readonly customerToken: string;
  readonly coins: number;
  /** vendorId → `X-NetPay-Checkout` token. */
  readonly checkout: Readonly<Record<string, string>>;
}

/** Everything one k6 VU (by `exec.vu.idInTest`) owns. */
export interface SeededVu {
  readonly vu: number;
  /** Opened with a large balance: the VU's own registrations in issuance scenarios use it. */
  readonly bankAccount: string;
  /** The account's mandate from the bank: registrations prove control of the account with it. */
  readonly bankMandate: string;
  readonly clientChains: readonly SeededChain[];
  readonly serverWallet?: SeededServerWallet;
}

export interface SeedPlan {
  readonly runId: string;
  readonly brokerUrl: string;
  readonly adminToken: string;
  readonly shops: readonly LoadShop[];
  readonly currency: string;
  readonly coinValue: number;
  /** Client-side coins per VU, bought as chains of `chainCoins`. */
  readonly clientCoins: number;
  readonly chainCoins: number;
  /** Server-side coins per VU (0: none). */
  readonly serverCoins: number;
}

const CATALOG_PATHS = ['/articles', '/cards', '/clips'];
const BANK_BALANCE = 1_000_000_000_000;

/** Finds a vendor's catalog, items, price and accepted coins by asking it (an unpaid GET answers 402). */
export async function discoverShop(url: string): Promise<LoadShop & { currency: string; coinValue: number }> {
  const { vendorId } = await must<{ vendorId: string }>(`${url}/vendor`);
  for (const path of CATALOG_PATHS) {
    const listing = await call<{ id: string }[]>(`${url}${path}`);
    if (listing.status !== 200 || !Array.isArray(listing.body) || listing.body.length === 0) continue;
    const items = listing.body.map((item) => item.id);
    const unpaid = await call(`${url}${path}/${items[0]}`);
    const price = Number(unpaid.headers.get('x-netpay-price'));
    const accept = /currency=([A-Z]{3}); coin-value=(\d+)/.exec(unpaid.headers.get('x-netpay-accept') ?? '');
    if (unpaid.status !== 402 || !Number.isSafeInteger(price) || price < 1 || !accept) {
      throw new Error(`${url}${path}/${items[0]} did not ask for a payment (HTTP ${unpaid.status})`);
    }
    return { id: vendorId, url, path, items, price, currency: accept[1]!, coinValue: Number(accept[2]) };
  }
  throw new Error(`vendor ${vendorId} at ${url} serves none of ${CATALOG_PATHS.join(', ')}`);
}

interface PurchaseAnswer {
  readonly chains: readonly { chainId: string; length: number; seed?: string; touchstone: Touchstone }[];
}

interface BankAccount {
  readonly bankAccount: string;
  readonly bankMandate: string;
}

async function register(plan: SeedPlan, name: string, account: BankAccount): Promise<string> {
  const { token } = await mustRetrying<{ token: string }>(`${plan.brokerUrl}/customers`, {
    body: { name, ...account },
  });
  return token;
}

/** Buys one client-side chain and derives all its paywords from the seed (checked against T's root). */
async function buyChain(plan: SeedPlan, token: string, coins: number): Promise<SeededChain> {
  const answer = await mustRetrying<PurchaseAnswer>(`${plan.brokerUrl}/purchases`, {
    token,
    body: {
      coins,
      coinValue: plan.coinValue,
      currency: plan.currency,
      wallet: 'client',
      walletNonce: newWalletNonce(),
    },
  });
  const bought = answer.chains[0];
  if (answer.chains.length !== 1 || !bought?.seed)
    throw new Error('expected one client-side chain with a seed');
  const { touchstone } = bought;
  const chain = generateChain({
    chainId: bought.chainId,
    length: bought.length,
    alg: touchstone.alg,
    seed: bought.seed,
  });
  if (chain.root !== touchstone.root)
    throw new Error(`chain ${bought.chainId}: the seed does not hash to T's root`);
  const paywords = Array.from({ length: chain.length }, (_, i) => chain.payword(i + 1));
  return { chainId: bought.chainId, touchstone: toBase64Url(touchstone), length: chain.length, paywords };
}

async function serverWallet(plan: SeedPlan, vu: number, account: BankAccount): Promise<SeededServerWallet> {
  const customerToken = await register(plan, `load_${plan.runId}_vu${vu}_server`, account);
  await mustRetrying(`${plan.brokerUrl}/purchases`, {
    token: customerToken,
    body: { coins: plan.serverCoins, coinValue: plan.coinValue, currency: plan.currency, wallet: 'server' },
  });
  const checkout: Record<string, string> = {};
  for (const shop of plan.shops) {
    const { checkoutToken } = await mustRetrying<{ checkoutToken: string }>(
      `${plan.brokerUrl}/wallet/vendors`,
      {
        token: customerToken,
        body: { vendorId: shop.id },
      },
    );
    checkout[shop.id] = checkoutToken;
  }
  return { customerToken, coins: plan.serverCoins, checkout };
}

/** Seeds one VU's bundle: a bank account, a client-side customer with its chains, a server-side wallet. */
export async function seedVu(plan: SeedPlan, vu: number): Promise<SeededVu> {
  const bankAccount = `load_${plan.runId}_vu${vu}`.slice(0, 64);
  const { mandate: bankMandate } = await mustRetrying<{ mandate: string }>(
    `${plan.brokerUrl}/bank/accounts`,
    {
      token: plan.adminToken,
      body: { accountId: bankAccount, currency: plan.currency, balance: BANK_BALANCE },
    },
  );
  const account = { bankAccount, bankMandate };
  const clientChains: SeededChain[] = [];
  if (plan.clientCoins > 0) {
    const token = await register(plan, `load_${plan.runId}_vu${vu}_client`, account);
    for (let left = plan.clientCoins; left > 0; left -= plan.chainCoins) {
      clientChains.push(await buyChain(plan, token, Math.min(left, plan.chainCoins)));
    }
  }
  if (plan.serverCoins === 0) return { vu, ...account, clientChains };
  return { vu, ...account, clientChains, serverWallet: await serverWallet(plan, vu, account) };
}

/** Runs `task(i)` for i = 1 … count, at most `concurrency` at a time, results in order. */
export async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 1;
  const worker = async (): Promise<void> => {
    for (let i = next++; i <= count; i = next++) results[i - 1] = await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
