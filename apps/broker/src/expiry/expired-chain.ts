import { CHAIN, type ChainRejection, type ChainState } from '#chain';

/**
 * A customer's close of a chain (cash-out, re-issue) once its touchstone has expired: refused.
 * From its expiry on, the unspent value is the broker's EXPIRY_POLICY's to settle (`ExpirySettlement`):
 * a cash-out would refund what `keep` keeps, and a re-issue would give expired coins a new chain
 * with a new lifetime — and either would race the sweeper. Same instant as the vendors' check
 * (`checkTouchstoneUsable`: expired at `now >= expiresAt`).
 */
export function refuseExpired(
  state: ChainState,
  now: Date,
  policy: 'refund' | 'keep',
): ChainRejection | undefined {
  if (state.status === 'absent') return undefined;
  const { chainId, expiresAt } = state.touchstone;
  if (now.getTime() < Date.parse(expiresAt)) return undefined;
  const settled =
    policy === 'refund'
      ? 'its unspent coins are refunded to your bank account by the broker’s expiry settlement'
      : 'by the broker’s expiry policy its unspent coins are not refunded';
  return { ok: false, code: CHAIN.EXPIRED, message: `chain ${chainId} expired at ${expiresAt}: ${settled}` };
}
