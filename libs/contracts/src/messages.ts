import type { HandOffCertificate, Hex, PublicKeyRecord, Touchstone } from '#protocol';

/** Every reply is either a value or a stable error; never a bare exception. */
export type Reply<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RpcError };

export interface RpcError {
  /** Stable code, e.g. `CHAIN.NOT_FOUND`, `HANDOFF.NOT_HOLDER`. */
  readonly code: string;
  readonly message: string;
  /** Machine-readable particulars, e.g. the holder to ask for a hand-off. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface TouchstoneRequest {
  readonly chainId: string;
}
export interface TouchstoneReply {
  readonly touchstone: Touchstone;
}

export interface BrokerKeysReply {
  readonly keys: readonly PublicKeyRecord[];
}

export interface VendorKeyRequest {
  readonly vendorId: string;
}
export interface VendorKeyReply {
  readonly vendorId: string;
  readonly keys: readonly PublicKeyRecord[];
}

/**
 * A vendor checks out (a slice of) a server-side e-wallet. The customer gave
 * the vendor `checkoutToken` (from the broker, bound to that vendor); the
 * token is opaque: the vendor never learns who the customer is.
 */
export interface WalletCheckoutRequest {
  readonly vendorId: string;
  readonly checkoutToken: string;
  /** How many coins the vendor wants to be able to debit. */
  readonly coins: number;
}
export interface WalletCheckoutReply {
  readonly chainId: string;
  readonly touchstone: Touchstone;
  /** I and W[I-1] at checkout. */
  readonly index: number;
  readonly lastPayword: Hex;
  /** Paywords W[index] … W[index + paywords.length - 1], released to this vendor. */
  readonly paywords: readonly Hex[];
}

/** Vendor B asks the holder A to hand a chain over. */
export interface HandOffRequest {
  readonly chainId: string;
  readonly toVendor: string;
}
export interface HandOffReply {
  readonly certificate: HandOffCertificate;
  readonly touchstone: Touchstone;
  /** Server-side wallets: the paywords A still held and had not spent. */
  readonly paywords?: readonly Hex[];
}

export interface RevocationNotice {
  readonly kind: 'chain' | 'pseudonym';
  readonly id: string;
  readonly reason: string;
  readonly at: string;
}
