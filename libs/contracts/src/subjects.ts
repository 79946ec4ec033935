/**
 * NATS subjects between the broker and vendors. Request/reply subjects are
 * served with a queue group so several replicas of one service share them.
 * Every request a client sends carries a timeout (see `DEFAULT_REQUEST_TIMEOUT_MS`).
 */
export const subjects = {
  /** Request {@link TouchstoneRequest} → {@link TouchstoneReply}. */
  touchstone: 'netpay.broker.touchstone',
  /** Request {} → {@link BrokerKeysReply}: the broker's public keys by key id. */
  brokerKeys: 'netpay.broker.keys',
  /** Request {@link VendorKeyRequest} → {@link VendorKeyReply}: a registered vendor's keys. */
  vendorKeys: 'netpay.broker.vendor-keys',
  /** Request {@link WalletCheckoutRequest} → {@link WalletCheckoutReply} (server-side e-wallets). */
  walletCheckout: 'netpay.broker.wallet.checkout',
  /** Request {@link HandOffRequest} → {@link HandOffReply}, served by the holder vendor. */
  handOff: (vendorId: string): string => `netpay.vendor.${vendorId}.handoff`,
  /** Event {@link RevocationNotice}: the broker's CRL broadcast; vendors refuse what it names. */
  revocation: 'netpay.broker.revocation',
} as const;

/** Queue groups: one per service (and per vendor id), so replicas split requests. */
export const queues = {
  broker: 'netpay-broker',
  vendor: (vendorId: string): string => `netpay-vendor-${vendorId}`,
} as const;

export const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;
