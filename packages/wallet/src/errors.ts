/** Stable codes of the wallet's own refusals (shown to the customer by the pages). */
export const WEB_WALLET = {
  WRONG_PASSPHRASE: 'WALLET.WRONG_PASSPHRASE',
  PASSPHRASE_TOO_SHORT: 'WALLET.PASSPHRASE_TOO_SHORT',
  LOCKED: 'WALLET.LOCKED',
  INSUFFICIENT_COINS: 'WALLET.INSUFFICIENT_COINS',
  INVALID_COUNT: 'WALLET.INVALID_COUNT',
  SEED_MISMATCH: 'WALLET.SEED_MISMATCH',
  UNSUPPORTED_CHAIN: 'WALLET.UNSUPPORTED_CHAIN',
  DUPLICATE_CHAIN: 'WALLET.DUPLICATE_CHAIN',
  PURCHASE_MISMATCH: 'WALLET.PURCHASE_MISMATCH',
  CORRUPT: 'WALLET.CORRUPT',
  UNKNOWN_CHAIN: 'WALLET.UNKNOWN_CHAIN',
  /** An index that would move a chain back, or beyond its end. */
  STALE_INDEX: 'WALLET.STALE_INDEX',
  INVALID_DEADLINE: 'WALLET.INVALID_DEADLINE',
} as const;

export type WebWalletCode = (typeof WEB_WALLET)[keyof typeof WEB_WALLET];

export class WebWalletError extends Error {
  constructor(
    readonly code: WebWalletCode,
    message: string,
  ) {
    super(message);
    this.name = 'WebWalletError';
  }
}
