/** Why a command on a chain was refused: a stable code and a clear message. */
export interface ChainRejection {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

export const refuse = (code: string, message: string): ChainRejection => ({ ok: false, code, message });

/**
 * Codes the chain aggregate decides itself. Payword checks (`SPEND.*`) and
 * touchstone validity (`TOUCHSTONE.*`) come from the protocol library.
 */
export const CHAIN = {
  NOT_FOUND: 'CHAIN.NOT_FOUND',
  ALREADY_ISSUED: 'CHAIN.ALREADY_ISSUED',
  REVOKED: 'CHAIN.REVOKED',
  /** Past its expiry: the broker's expiry policy settles it, a customer neither cashes it out nor re-issues it. */
  EXPIRED: 'CHAIN.EXPIRED',
  CLOSED: 'CHAIN.CLOSED',
  WRONG_WALLET_KIND: 'CHAIN.WRONG_WALLET_KIND',
  /** A server-side wallet is spent only after a vendor checked it out. */
  NOT_CHECKED_OUT: 'CHAIN.NOT_CHECKED_OUT',
  /** Another vendor holds the chain: a hand-off must come first. */
  NOT_HOLDER: 'CHAIN.NOT_HOLDER',
  /** The customer withdrew this vendor's authority: its slice of the server-side wallet ended. */
  SLICE_WITHDRAWN: 'CHAIN.SLICE_WITHDRAWN',
  /** A server-side slice does not reach that far. */
  BEYOND_SLICE: 'CHAIN.BEYOND_SLICE',
  HANDOFF_TO_SELF: 'HANDOFF.TO_SELF',
  HANDOFF_MISMATCH: 'HANDOFF.CERTIFICATE_MISMATCH',
  /**
   * The customer withdrew the receiving vendor from this server-side wallet at or after its wallet
   * grant was issued: the grant is void (a new authorisation brings a later one).
   */
  VENDOR_WITHDRAWN: 'HANDOFF.VENDOR_WITHDRAWN',
  CLAIM_HOLDER_CHANGED: 'CLAIM.HOLDER_CHANGED',
} as const;
