import type {
  HandOffCertificate,
  Hex,
  PublicKeyRecord,
  SignedCheckoutRequest,
  SignedHandOffRequest,
  SignedRevocationNotice,
  Touchstone,
  VendorKeyCertificate,
  WalletGrant,
} from '#protocol';

/** Every reply is either a value or a stable error; never a bare exception (`RpcReply` of #platform). */
export type Reply<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RpcError };

export interface RpcError {
  /** Stable code, e.g. `CHAIN.NOT_FOUND`, `HANDOFF.NOT_HOLDER`. */
  readonly code: string;
  readonly message: string;
  /** HTTP status the refusal maps to (set by the services' `RpcReplyInterceptor`). */
  readonly status?: number;
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
  /**
   * The broker's certificate of each key (same order). A vendor takes its own from here and
   * shows it with every hand-off; whoever receives it checks it against the broker keys it
   * pinned from configuration, so the channel it came over need not be trusted.
   */
  readonly certificates: readonly VendorKeyCertificate[];
}

/**
 * A vendor checks out (a slice of) a server-side e-wallet. The customer gave
 * the vendor `checkoutToken` (from the broker, bound to that vendor); the
 * token is opaque: the vendor never learns who the customer is. The request
 * is signed with the vendor's registered key and fresh (`at`, `nonce`), so a
 * sniffed token is useless to anyone else (see `SignedCheckoutRequest`).
 */
export type WalletCheckoutRequest = SignedCheckoutRequest;
export interface WalletCheckoutReply {
  readonly chainId: string;
  readonly touchstone: Touchstone;
  /** I and W[I-1] at checkout. */
  readonly index: number;
  readonly lastPayword: Hex;
  /** Paywords W[index] … W[index + paywords.length - 1], released to this vendor. */
  readonly paywords: readonly Hex[];
}

/**
 * Vendor B asks the holder A to hand a chain over: signed by B with its
 * certified key, naming holder, chain and requester, fresh (`at` + `nonce`).
 * B's certificate travels with it, so A needs no call to the broker.
 */
export interface HandOffRequest {
  readonly request: SignedHandOffRequest;
  readonly certificate: VendorKeyCertificate;
  /** Server-side wallets: the broker's proof that the wallet's owner authorises B. */
  readonly walletGrant?: WalletGrant;
  readonly correlationId?: string;
}
export interface HandOffReply {
  readonly certificate: HandOffCertificate;
  /** The broker's certificate of the key that signed `certificate`. */
  readonly holderCertificate: VendorKeyCertificate;
  readonly touchstone: Touchstone;
  /** Server-side wallets: the paywords A still held and had not spent. */
  readonly paywords?: readonly Hex[];
}

/** The broker's CRL entry, signed by the broker; vendors verify it before acting on it. */
export type RevocationNotice = SignedRevocationNotice;

/** Details of a CHECKOUT.HELD_ELSEWHERE refusal: where the wallet is, and a grant to take it over. */
export interface HeldElsewhereDetails {
  readonly chainId: string;
  readonly holder: string;
  readonly walletGrant?: WalletGrant;
}
