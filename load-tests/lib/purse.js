// A VU's client-side chains, spent in order. Holds, per chain, the next unspent index I and
// the vendor that accepted the last spend (the holder: paying elsewhere means a hand-off).
// Paywords come from the seeded data: k6 never hashes.
export class Purse {
  constructor(chains) {
    this.chains = chains || [];
    this.current = 0;
    this.index = 1;
    this.holder = undefined;
  }

  /** The payment of `count` coins from the current chain, moving to the next one when it is short. */
  pay(count) {
    for (; this.current < this.chains.length; this.current++, this.index = 1, this.holder = undefined) {
      const chain = this.chains[this.current];
      const position = this.index + count - 1;
      if (position > chain.length) continue;
      return {
        chainId: chain.chainId,
        touchstone: chain.touchstone,
        position,
        payword: chain.paywords[position - 1],
        count,
        holder: this.holder,
      };
    }
    return undefined;
  }

  /** The vendor accepted: I moves past the shown word and the vendor holds the chain. */
  confirm(payment, vendorId) {
    this.index = payment.position + 1;
    this.holder = vendorId;
  }

  /**
   * The vendor refused or failed: whether it recorded the spend is unknown, so the rest of the
   * chain is left alone (never risk showing a word twice by mistake).
   */
  abandon() {
    this.current += 1;
    this.index = 1;
    this.holder = undefined;
  }
}
