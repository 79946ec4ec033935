// A VU's client-side chains. Holds, per chain, the next unspent index I and the vendor that
// accepted the last spend (the holder: paying elsewhere means a hand-off). Chains are spent one
// after another; the warm-up phase spends the first coins of each chain once so that every chain
// is known to a vendor before the measured phase. Paywords come from the seeded data: k6 never
// hashes.
export class Purse {
  constructor(chains) {
    this.chains = chains || [];
    this.current = 0;
    this.next = this.chains.map(() => 1);
    this.holders = this.chains.map(() => undefined);
    this.dead = this.chains.map(() => false);
  }

  /** The payment of `count` coins from the current chain, moving to the next one when it is short. */
  pay(count) {
    for (; this.current < this.chains.length; this.current++) {
      const payment = this.payFrom(this.current, count);
      if (payment) return payment;
    }
    return undefined;
  }

  /** The payment of `count` coins from chain `n` (undefined when it is short or abandoned). */
  payFrom(n, count) {
    const chain = this.chains[n];
    if (!chain || this.dead[n]) return undefined;
    const position = this.next[n] + count - 1;
    if (position > chain.length) return undefined;
    return {
      chain: n,
      chainId: chain.chainId,
      touchstone: chain.touchstone,
      position,
      payword: chain.paywords[position - 1],
      count,
      holder: this.holders[n],
    };
  }

  /** How many chains this purse holds. */
  get size() {
    return this.chains.length;
  }

  /** The vendor accepted: I moves past the shown word and the vendor holds the chain. */
  confirm(payment, vendorId) {
    this.next[payment.chain] = payment.position + 1;
    this.holders[payment.chain] = vendorId;
  }

  /**
   * The vendor refused or failed: whether it recorded the spend is unknown, so the rest of that
   * chain is left alone (never risk showing a word twice by mistake).
   */
  abandon(payment) {
    this.dead[payment.chain] = true;
  }
}
