import { revocationReasonOf } from './revocation-reasons.js';
import { registerUpcaster } from './upcasting.js';

/** `ChainRevoked` v1 carried the operator's free text as `reason`. */
export interface ChainRevokedV1Data {
  readonly chainId: string;
  readonly reason: string;
  readonly at: string;
}

// v1 → v2: the free text is read as its code (`other` unless it was one), so old notes never
// reach the revocation list or a vendor again; the stored event itself is left as it is.
registerUpcaster({
  type: 'ChainRevoked',
  fromVersion: 1,
  upcast: (data) => {
    const v1 = data as ChainRevokedV1Data;
    return { chainId: v1.chainId, reason: revocationReasonOf(v1.reason), at: v1.at };
  },
});
