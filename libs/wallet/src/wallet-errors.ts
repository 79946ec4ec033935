/** Refusals of the wallet SDK: a stable code and a clear message. */
export const WALLET = {
  /** The seed does not hash down to the touchstone's root: not the chain the broker signed. */
  SEED_MISMATCH: 'WALLET.SEED_MISMATCH',
  DUPLICATE_CHAIN: 'WALLET.DUPLICATE_CHAIN',
  UNKNOWN_CHAIN: 'WALLET.UNKNOWN_CHAIN',
  /** No single usable chain holds enough coins (a price is paid from one chain). */
  INSUFFICIENT_COINS: 'WALLET.INSUFFICIENT_COINS',
  INVALID_COUNT: 'WALLET.INVALID_COUNT',
  /** A confirmation for a spend that does not follow the wallet's index. */
  STALE_PAYMENT: 'WALLET.STALE_PAYMENT',
  /** The vendor could not tell whether a payment was recorded: repeat it as it was, never reuse it. */
  OUTCOME_UNKNOWN: 'WALLET.OUTCOME_UNKNOWN',
  WRONG_PASSPHRASE: 'WALLET.WRONG_PASSPHRASE',
  /** The file was changed or damaged after it was written. */
  FILE_TAMPERED: 'WALLET.FILE_TAMPERED',
  FILE_UNSUPPORTED: 'WALLET.FILE_UNSUPPORTED',
  FILE_MALFORMED: 'WALLET.FILE_MALFORMED',
} as const;

export type WalletErrorCode = (typeof WALLET)[keyof typeof WALLET];

export class WalletError extends Error {
  constructor(
    readonly code: WalletErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'WalletError';
  }
}
