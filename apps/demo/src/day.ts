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

function record(ctx: DayContext, name: string, expected: string, answer: Answer): void {
  const got = codeOf(answer) ?? `HTTP.${answer.status}`;
  ctx.tally.attacks.push({ name, expected, got, refused: answer.status >= 400 });
  ctx.tally.refusal(got);
  ctx.progress(`${name}: ${answer.status >= 400 ? 'refused' : 'ACCEPTED'} (${got})`);
}
