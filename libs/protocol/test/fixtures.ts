import {
  createSigner,
  generateChain,
  signTouchstone,
  signingKeyFromPrivate,
  type Chain,
  type Signer,
} from '../src/index.js';
import type { ChainAlgorithm, Touchstone, TouchstoneBody } from '../src/index.js';

/** Fixed keys so failures reproduce (never use these outside tests). */
export const brokerKey = signingKeyFromPrivate('broker-2026', '11'.repeat(32));
export const vendorAKey = signingKeyFromPrivate('vendor-a-key', '22'.repeat(32));
export const vendorBKey = signingKeyFromPrivate('vendor-b-key', '33'.repeat(32));
export const brokerSigner: Signer = createSigner(brokerKey);
export const vendorASigner: Signer = createSigner(vendorAKey);

export function chainFixture(length = 20, alg: ChainAlgorithm = 'sha256', chainId = 'chain-1'): Chain {
  return generateChain({ chainId, length, alg, seed: '5e'.repeat(32) });
}

export function touchstoneBodyFor(chain: Chain, overrides: Partial<TouchstoneBody> = {}): TouchstoneBody {
  return {
    chainId: chain.chainId,
    alg: chain.alg,
    root: chain.root,
    length: chain.length,
    coinValue: 5,
    currency: 'NZD',
    issuedAt: '2026-11-21T08:00:00.000Z',
    expiresAt: '2027-11-21T08:00:00.000Z',
    brokerKeyId: brokerKey.keyId,
    ...overrides,
  };
}

export function touchstoneFor(chain: Chain, overrides: Partial<TouchstoneBody> = {}): Touchstone {
  return signTouchstone(touchstoneBodyFor(chain, overrides), brokerSigner);
}
