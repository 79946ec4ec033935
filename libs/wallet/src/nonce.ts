import { randomBytes } from 'node:crypto';
import type { Hex } from '#protocol';

/** 32 random bytes (hex) a wallet sends as `walletNonce` when buying: the broker cannot then recompute the seeds. */
export function newWalletNonce(): Hex {
  return randomBytes(32).toString('hex');
}
