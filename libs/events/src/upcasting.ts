/**
 * Stored events are never rewritten. When an event's shape changes, its old
 * version stays readable: register an upcaster from version N to N+1 and
 * `decode` applies the chain of upcasters on read.
 */
export interface Upcaster {
  readonly type: string;
  readonly fromVersion: number;
  upcast(data: unknown): unknown;
}

/** Latest version of each known event type. */
export const CURRENT_VERSIONS: Readonly<Record<string, number>> = {
  ChainIssued: 1,
  WalletCheckedOut: 1,
  CoinsSpent: 1,
  IndexHandedOff: 1,
  ChainClaimed: 1,
  SliceWithdrawn: 1,
  VendorWithdrawn: 1,
  ChainRevoked: 2,
  ChainClosed: 1,
  CustomerRegistered: 1,
  VendorAuthorised: 1,
  VendorDeauthorised: 1,
  PurchaseRequested: 1,
  CoinsPurchased: 1,
  PurchaseDeclined: 1,
  PurchaseVoided: 1,
  CoinsRefunded: 1,
  RefundDeclined: 1,
  RefundAccountChosen: 1,
  CoinsExpiredSettled: 1,
  ChainReissued: 1,
  ServerWalletSeedStored: 1,
  VendorRegistered: 1,
  VendorKeyRotated: 1,
  VendorShopOriginsSet: 1,
  VendorKeyRetired: 1,
  VendorFraudRecorded: 1,
  VendorSuspended: 1,
  VendorReinstated: 1,
  CustomerRevoked: 1,
  CustomerReinstated: 1,
  RedemptionBatchSealed: 1,
  RedemptionItemAccepted: 1,
  RedemptionItemRejected: 1,
  VendorPaid: 1,
  VendorPayoutDeclined: 1,
  RangeRedeemed: 1,
  RedemptionForgeryDetected: 1,
};

const upcasters = new Map<string, Upcaster>();

export function registerUpcaster(upcaster: Upcaster): void {
  upcasters.set(`${upcaster.type}@${upcaster.fromVersion}`, upcaster);
}

export class UnknownEventVersionError extends Error {
  readonly code = 'EVENTS.UNKNOWN_VERSION';
  constructor(
    readonly type: string,
    readonly version: number,
  ) {
    super(`${type} v${version} is newer than this code knows, or has no upcaster`);
    this.name = 'UnknownEventVersionError';
  }
}

/** Bring `data` of `type` at `version` to the current version; `undefined` for unknown types. */
export function upcast(
  type: string,
  version: number,
  data: unknown,
): { version: number; data: unknown } | undefined {
  const target = CURRENT_VERSIONS[type];
  if (target === undefined) return undefined;
  let v = version;
  let d = data;
  while (v < target) {
    const step = upcasters.get(`${type}@${v}`);
    if (!step) throw new UnknownEventVersionError(type, version);
    d = step.upcast(d);
    v += 1;
  }
  if (v > target) throw new UnknownEventVersionError(type, version);
  return { version: v, data: d };
}
