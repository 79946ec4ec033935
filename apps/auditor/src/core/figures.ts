/** Money per currency, integer minor units. */
export interface MoneyFigures {
  /** Σ CoinsPurchased.amount: what customers paid. */
  customerPayments: number;
  /** Σ n × coinValue of every chain issued (re-issues included). */
  valueIssued: number;
  /** Part of `valueIssued` that re-issues an old chain's remainder (not paid again). */
  valueReissued: number;
  /** Σ coins accepted by vendors × coinValue. */
  valueSpent: number;
  /** Σ accepted redemption items. */
  valueRedeemed: number;
  /** Σ VendorPaid. */
  paidToVendors: number;
  /** Σ CoinsRefunded. */
  refunded: number;
  /** Σ CoinsExpiredSettled: expired chains' unspent value, refunded or kept by the broker. */
  expiredSettled: number;
}

export function emptyMoney(): MoneyFigures {
  return {
    customerPayments: 0,
    valueIssued: 0,
    valueReissued: 0,
    valueSpent: 0,
    valueRedeemed: 0,
    paidToVendors: 0,
    refunded: 0,
    expiredSettled: 0,
  };
}

/** issued (paid for) − redeemed − refunded − expired-settled: what the broker still owes holders of coins. */
export function outstandingLiability(m: MoneyFigures): number {
  return m.valueIssued - m.valueReissued - m.valueRedeemed - m.refunded - m.expiredSettled;
}

/** Counters of one replay. Only events checked (not primed history) count. */
export class Figures {
  events = 0;
  readonly eventsByType = new Map<string, number>();
  readonly eventsByCategory = new Map<string, number>();
  readonly streams = new Set<string>();
  /** Events of other chains, passed over by `--chain`. */
  skipped = 0;
  firstPosition: bigint | undefined;
  lastPosition: bigint | undefined;

  chainsIssued = 0;
  clientWallets = 0;
  serverWallets = 0;
  weakChains = 0;
  coinsIssued = 0;
  coinsSpent = 0;
  coinsRedeemed = 0;
  spends = 0;
  checkouts = 0;
  handOffs = 0;
  claims = 0;
  revocations = 0;
  closes = 0;

  customers = 0;
  vendors = 0;
  purchases = 0;
  purchasesDeclined = 0;
  /** Purchases voided by reconciliation (no charge at the bank). */
  purchasesVoided = 0;
  /** Σ CoinsPurchased completed by reconciliation rather than in answer to the customer. */
  purchasesReconciled = 0;
  refunds = 0;
  /** Refunds the bank declined (`RefundDeclined`). */
  refundsDeclined = 0;
  /** Chains settled at expiry. */
  expiries = 0;
  batchesSealed = 0;
  batchesPaid = 0;
  itemsAccepted = 0;
  itemsRejected = 0;
  payoutsDeclined = 0;
  rangesRedeemed = 0;

  readonly money = new Map<string, MoneyFigures>();

  moneyIn(currency: string): MoneyFigures {
    let m = this.money.get(currency);
    if (m === undefined) {
      m = emptyMoney();
      this.money.set(currency, m);
    }
    return m;
  }

  countEvent(type: string, stream: string, category: string, position: bigint): void {
    this.events += 1;
    this.eventsByType.set(type, (this.eventsByType.get(type) ?? 0) + 1);
    this.eventsByCategory.set(category, (this.eventsByCategory.get(category) ?? 0) + 1);
    this.streams.add(stream);
    this.firstPosition ??= position;
    this.lastPosition = position;
  }
}
