/**
 * One stream-name helper per category. The category is the part before the
 * first `-`, so category filters (`chain`, `redemption`, …) work in every store.
 * Ids are opaque but restricted to [A-Za-z0-9_] so names are safe as NATS subjects.
 */
const ID = /^[A-Za-z0-9_]{1,64}$/;

export class InvalidStreamIdError extends Error {
  readonly code = 'EVENTS.INVALID_ID';
  constructor(readonly id: string) {
    super(`"${id}" is not a valid id: 1-64 characters from A-Z, a-z, 0-9 and _`);
    this.name = 'InvalidStreamIdError';
  }
}

export function assertId(id: string): string {
  if (!ID.test(id)) throw new InvalidStreamIdError(id);
  return id;
}

export const streams = {
  chain: (chainId: string): string => `chain-${assertId(chainId)}`,
  customer: (customerId: string): string => `customer-${assertId(customerId)}`,
  purchase: (purchaseId: string): string => `purchase-${assertId(purchaseId)}`,
  vendor: (vendorId: string): string => `vendor-${assertId(vendorId)}`,
  /** Business day as YYYYMMDD so the name stays subject-safe. */
  redemption: (vendorId: string, businessDay: string): string =>
    `redemption-${assertId(vendorId)}_${businessDay.replaceAll('-', '')}`,
  payout: (payoutId: string): string => `payout-${assertId(payoutId)}`,
  revocation: (): string => 'revocation-list',
  /** The broker's root-signed key lists (`BrokerKeyListPublished`), newest version last. */
  brokerKeys: (): string => 'brokerkeys-list',
} as const;

export type StreamCategory =
  'chain' | 'customer' | 'purchase' | 'vendor' | 'redemption' | 'payout' | 'revocation' | 'brokerkeys';

export function categoryOf(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash === -1 ? streamName : streamName.slice(0, dash);
}

export function idOf(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash === -1 ? '' : streamName.slice(dash + 1);
}
