import { preparePayment, settleAnswer } from '#wallet';
import type { Answer } from './api.js';
import { codeOf, must } from './api.js';
import { ClientCustomer, DemoCustomer, ServerCustomer, type ShopFront } from './customers.js';
import { Random } from './random.js';
import type { Tally } from './tally.js';

export interface DayOptions {
  readonly customers: number;
  readonly spends: number;
  readonly seed: number;
  /** Customers shopping at the same time. */
  readonly concurrency: number;
}

export interface DayContext {
  readonly brokerUrl: string;
  readonly adminToken: string;
  readonly shops: readonly ShopFront[];
  readonly tally: Tally;
  readonly progress: (line: string) => void;
  /** Crashes one vendor (SIGKILL) and returns a function that restarts it. */
  readonly crashVendor: (vendorId: string) => Promise<() => Promise<void>>;
}

const TERMS = { coins: 200, coinValue: 5, currency: 'NZD' } as const;

/** Registers the customers (alternating wallet kinds) and has each buy coins with one payment. */
export async function openShop(ctx: DayContext, options: DayOptions): Promise<DemoCustomer[]> {
  const customers: DemoCustomer[] = [];
  for (let i = 0; i < options.customers; i++) {
    const kind = i % 2 === 0 ? 'client' : 'server';
    const customer = await DemoCustomer.register(
      ctx.brokerUrl,
      ctx.adminToken,
      `customer_${i}`,
      kind,
      100_000,
    );
    ctx.tally.amountPaid += await customer.buyCoins(ctx.brokerUrl, TERMS);
    ctx.tally.purchases += 1;
    ctx.tally.coinsBought += TERMS.coins;
    ctx.tally.customers[kind] += 1;
    if (customer instanceof ServerCustomer)
      await customer.authorise(
        ctx.brokerUrl,
        ctx.shops.map((s) => s.id),
      );
    customers.push(customer);
  }
  ctx.progress(`${customers.length} customers registered, ${ctx.tally.coinsBought} coins bought`);
  return customers;
}

/** One customer's visits: mostly its favourite vendor, sometimes another (a hand-off). */
async function shop(
  ctx: DayContext,
  customer: DemoCustomer,
  visits: number,
  rng: Random,
  down: Set<string>,
): Promise<void> {
  let favourite = rng.pick(ctx.shops);
  for (let v = 0; v < visits; v++) {
    if (rng.next() < 0.25) favourite = rng.pick(ctx.shops);
    const shopFront = down.has(favourite.id) ? ctx.shops.find((s) => !down.has(s.id)) : favourite;
    if (!shopFront) return;
    try {
      const sale = await customer.buyContent(shopFront, rng.pick(shopFront.items));
      if (sale.ok) ctx.tally.sale(shopFront.id, shopFront.price, sale.movedFrom);
      else ctx.tally.refusal(sale.code ?? `HTTP.${sale.status}`);
    } catch (error) {
      // The wallet itself refuses (e.g. not enough coins left): an honest refusal, not a failure.
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string') ctx.tally.refusal(code);
      else ctx.tally.failures += 1;
    }
  }
}

/** Runs `spends` visits spread over the customers, `concurrency` customers at a time. */
export async function trade(
  ctx: DayContext,
  customers: readonly DemoCustomer[],
  spends: number,
  rng: Random,
  down: Set<string> = new Set(),
): Promise<void> {
  const perCustomer = Math.max(1, Math.ceil(spends / customers.length));
  const queue = [...customers];
  const before = ctx.tally.sales;
  const ticker = setInterval(() => ctx.progress(`… ${ctx.tally.sales - before} sales so far`), 2_000);
  const workers = Array.from({ length: Math.min(queue.length, 8) }, async () => {
    for (let c = queue.shift(); c; c = queue.shift())
      await shop(ctx, c, perCustomer, new Random(rng.int(2 ** 31)), down);
  });
  await Promise.all(workers);
  clearInterval(ticker);
}

/**
 * Mid-day: one vendor crashes. Customers whose chains it holds buy elsewhere — the
 * new vendor's hand-off request times out and it claims the chain from the store.
 * Then the crashed vendor restarts.
 */
export async function crashAndRecover(
  ctx: DayContext,
  customers: readonly DemoCustomer[],
  victim: string,
): Promise<void> {
  const victimShop = ctx.shops.find((s) => s.id === victim);
  const rescuer = ctx.shops.find((s) => s.id !== victim);
  if (!victimShop || !rescuer) return;
  // 1. A few client-side customers buy at the victim, so that it holds their chains.
  const stranded = customers.filter((c): c is ClientCustomer => c instanceof ClientCustomer).slice(0, 3);
  for (const customer of stranded) {
    const sale = await customer.buyContent(victimShop, victimShop.items[0] ?? '');
    if (sale.ok) ctx.tally.sale(victim, victimShop.price, sale.movedFrom);
  }
  // 2. The victim dies without a chance to hand anything off.
  const restart = await ctx.crashVendor(victim);
  ctx.progress(`vendor ${victim} crashed (SIGKILL)`);
  // 3. Those customers buy elsewhere: the hand-off request times out and the rescuer claims.
  for (const customer of stranded) {
    const sale = await customer.buyContent(rescuer, rescuer.items[0] ?? '');
    if (sale.ok) {
      ctx.tally.sale(rescuer.id, rescuer.price, sale.movedFrom);
      if (sale.movedFrom === victim) ctx.tally.claims += 1;
    } else ctx.tally.refusal(sale.code ?? `HTTP.${sale.status}`);
  }
  ctx.progress(`${ctx.tally.claims} chains held by the crashed ${victim} were claimed by ${rescuer.id}`);
  await restart();
  ctx.tally.vendorRestarts += 1;
  ctx.progress(`vendor ${victim} restarted`);
}

/** A double spend and a forged payword, each of which must be refused. */
export async function attack(ctx: DayContext, customers: readonly DemoCustomer[]): Promise<void> {
  const payer = customers.find((c): c is ClientCustomer => c instanceof ClientCustomer);
  const [first, second] = ctx.shops;
  if (!payer || !first || !second) return;
  // 1. Pay once at the first vendor, then show the very same payword at the second.
  const item = first.items[0] ?? '';
  const payment = await preparePayment(payer.purse, first.price, {
    vendorId: first.id,
    resource: `GET ${first.path}/${item}`,
  });
  const honest = await payer.send(first, item, payment);
  settleAnswer(payer.purse, payment.purchaseKey, {
    ...honest,
    receiptId: honest.headers.get('x-netpay-receipt-id'),
  });
  if (honest.status === 200) ctx.tally.sale(first.id, first.price);
  const replay = await payer.send(second, second.items[0] ?? '', { ...payment });
  record(ctx, 'double spend (same payword at a second vendor)', 'SPEND.PAYWORD_REPLAYED', replay);
  // 2. A payword with one bit flipped.
  const next = await preparePayment(payer.purse, first.price, { vendorId: first.id });
  const flipped = (parseInt(next.proof.payword.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0');
  const forged = { ...next, proof: { ...next.proof, payword: flipped + next.proof.payword.slice(2) } };
  const answer = await payer.send(first, first.items[0] ?? '', forged);
  record(ctx, 'forged payword (one bit flipped)', 'SPEND.PAYWORD_FORGED', answer);
}

/**
 * End of the day for one client-side customer: it cashes out its chain (closed at its index, the
 * coins it spent stay the vendors', the rest refunded to its bank account). Runs after the last
 * sale: the wallet keeps the chain, and would otherwise try to spend it.
 */
export async function cashOut(ctx: DayContext, customers: readonly DemoCustomer[]): Promise<void> {
  const customer = customers.find((c): c is ClientCustomer => c instanceof ClientCustomer);
  const chain = customer?.purse.summaries().find((c) => c.remainingCoins > 0);
  if (!customer || !chain) return;
  const answer = await must<{ coins: number; amount: number }>(
    `${ctx.brokerUrl}/chains/${chain.chainId}/cash-out`,
    { method: 'POST', token: customer.token },
  );
  ctx.tally.cashOuts.push({ chainId: chain.chainId, coins: answer.coins, amount: answer.amount });
  ctx.progress(`${customer.name} cashed out chain ${chain.chainId}: ${answer.coins} coins refunded`);
}

/** A customer with a chain that lives one day (the shortest lifetime) and is left part-spent. */
export interface ShortLived {
  readonly customer: ClientCustomer;
  readonly chainId: string;
  readonly bankAccount: string;
}

const SHORT_TERMS = { coins: 40, coinValue: 5, currency: 'NZD', expiresInDays: 1 } as const;

/**
 * A customer buys a chain for one day (`expiresInDays: 1`: it expires at the end of the next UTC
 * day), spends a few coins of it at one vendor and never comes back. Those coins are the
 * vendor's (redeemed at night); the rest the broker settles when the chain has expired.
 */
export async function buyShortLived(ctx: DayContext, spends: number): Promise<ShortLived> {
  const name = 'customer_short';
  const customer = await DemoCustomer.register(ctx.brokerUrl, ctx.adminToken, name, 'client', 100_000);
  if (!(customer instanceof ClientCustomer)) throw new Error('a client-side customer was asked for');
  ctx.tally.amountPaid += await customer.buyCoins(ctx.brokerUrl, SHORT_TERMS);
  ctx.tally.purchases += 1;
  ctx.tally.coinsBought += SHORT_TERMS.coins;
  ctx.tally.customers.client += 1;
  const chain = customer.purse.summaries()[0];
  const shopFront = ctx.shops[0];
  if (!chain || !shopFront) throw new Error('no chain or no shop for the short-lived customer');
  for (let i = 0; i < spends; i++) {
    const sale = await customer.buyContent(shopFront, shopFront.items[i % shopFront.items.length] ?? '');
    if (sale.ok) ctx.tally.sale(shopFront.id, shopFront.price, sale.movedFrom);
    else ctx.tally.refusal(sale.code ?? `HTTP.${sale.status}`);
  }
  ctx.progress(`${name} bought a one-day chain ${chain.chainId} and spent part of it at ${shopFront.id}`);
  return { customer, chainId: chain.chainId, bankAccount: `acct_${name}` };
}

interface HistoryAnswer {
  readonly entries: readonly { kind: string; chainId?: string; amount?: number; currency?: string }[];
}

/**
 * Days later, by the broker's clock: its expiry sweep closes the short-lived chain at its index
 * and refunds the unspent coins to the customer's bank account (EXPIRY_POLICY=refund). Waits for
 * the refund in the customer's history and checks it against the wallet and the bank.
 */
export async function settleExpired(
  ctx: DayContext,
  short: ShortLived,
  bankBalance: () => Promise<number>,
  balanceBefore: number,
  timeoutMs = 60_000,
): Promise<void> {
  const chain = short.customer.purse.summaries().find((c) => c.chainId === short.chainId);
  if (!chain) throw new Error(`chain ${short.chainId} is not in the wallet`);
  const expected = chain.remainingCoins * chain.coinValue;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const history = await must<HistoryAnswer>(`${ctx.brokerUrl}/wallet/history`, {
      token: short.customer.token,
    });
    const refund = history.entries.find((e) => e.kind === 'refund' && e.chainId === short.chainId);
    if (refund) {
      const credited = (await bankBalance()) - balanceBefore;
      if (refund.amount !== expected || credited !== expected) {
        throw new Error(
          `chain ${short.chainId}: ${chain.remainingCoins} coins unspent (${expected}), refunded ${String(refund.amount)}, bank credited ${credited}`,
        );
      }
      ctx.tally.expiries.push({ chainId: short.chainId, coins: chain.remainingCoins, amount: expected });
      ctx.progress(
        `chain ${short.chainId} expired with ${chain.remainingCoins} unspent coins; NZD ${(expected / 100).toFixed(2)} refunded to ${short.bankAccount}`,
      );
      return;
    }
    if (Date.now() > deadline) throw new Error(`the expiry sweep did not settle chain ${short.chainId}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function record(ctx: DayContext, name: string, expected: string, answer: Answer): void {
  const got = codeOf(answer) ?? `HTTP.${answer.status}`;
  ctx.tally.attacks.push({ name, expected, got, refused: answer.status >= 400 });
  ctx.tally.refusal(got);
  ctx.progress(`${name}: ${answer.status >= 400 ? 'refused' : 'ACCEPTED'} (${got})`);
}
