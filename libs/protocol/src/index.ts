export * from './types.js';
export * from './errors.js';
export * from './hex.js';
export { CanonicalWriter } from './encoding.js';
export {
  PAYWORD_TAG,
  MAX_CHAIN_LENGTH,
  SEED_BYTES,
  CHAIN_ALGORITHMS,
  paywordBytes,
  isWeakAlgorithm,
  ChainHasher,
  chainHasher,
  hashStep,
  paywordAt,
} from './hash-chain.js';
export * from './chain.js';
export * from './keys.js';
export type { SignatureCheck } from './signed.js';
export * from './touchstone.js';
export * from './spend.js';
export * from './hand-off.js';
export * from './receipt.js';
export * from './parse.js';
export { MAX_ID_BYTES, MAX_TEXT_BYTES, MAX_VENDOR_RESTRICTION } from './validate.js';
export * from './freshness.js';
export * from './vendor-certificate.js';
export * from './hand-off-request.js';
export * from './wallet-grant.js';
export * from './revocation-notice.js';
export * from './checkout-request.js';
export * from './subscriber-token.js';
export * from './broker-key-list.js';
export * from './p2p.js';
export * from './chain-event-signature.js';
export * from './vendor-registration-token.js';
