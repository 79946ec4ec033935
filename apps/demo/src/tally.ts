/** What happened during a demo day, for the progress line and the summary. */
export class Tally {
  customers = { client: 0, server: 0 };
  purchases = 0;
  coinsBought = 0;
  /** Minor units paid to the broker by customers. */
  amountPaid = 0;
  sales = 0;
  coinsSpent = 0;
  handOffs = 0;
  claims = 0;
  vendorRestarts = 0;
  readonly perVendor = new Map<string, { sales: number; coins: number }>();
  /** Refusals by stable code: honest ones (e.g. a wallet without enough coins) and attacks. */
  readonly refused = new Map<string, number>();
  readonly attacks: { name: string; expected: string; got: string; refused: boolean }[] = [];
  /** Chains closed by their customer and refunded (cash-out). */
  readonly cashOuts: { chainId: string; coins: number; amount: number }[] = [];
  /** Chains settled by the broker's expiry sweep: unspent coins and the value refunded. */
  readonly expiries: { chainId: string; coins: number; amount: number }[] = [];
  /** Sales that failed for a reason other than a protocol refusal (transport errors). */
  failures = 0;

  sale(vendorId: string, coins: number, movedFrom?: string): void {
    this.sales += 1;
    this.coinsSpent += coins;
    if (movedFrom) this.handOffs += 1;
    const v = this.perVendor.get(vendorId) ?? { sales: 0, coins: 0 };
    this.perVendor.set(vendorId, { sales: v.sales + 1, coins: v.coins + coins });
  }

  refusal(code: string): void {
    this.refused.set(code, (this.refused.get(code) ?? 0) + 1);
  }
}
