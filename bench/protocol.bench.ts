import {
  chainHasher,
  createSigner,
  encodeTouchstoneBody,
  generateChain,
  publicKeyRecord,
  signingKeyFromPrivate,
  signTouchstone,
  forgetVerifiedSignatures,
  verifyEd25519,
  verifySpend,
  verifyTouchstone,
  type ChainIndex,
  type SpendProof,
} from '#protocol';
import { ratioFigure, type BenchFigure } from './figures.js';
import { measureOpsPerSecond } from './measure.js';

/**
 * The protocol's central claim: a vendor verifies a payword with one hash,
 * far cheaper than a public-key signature check. Both are measured here in
 * the same process, back to back.
 */
export default async function protocolBenchmarks(): Promise<BenchFigure[]> {
  const length = 100_000;
  const chain = generateChain({ chainId: 'bench-chain', length, alg: 'sha256', seed: '42'.repeat(32) });
  const params = { chainId: chain.chainId, alg: chain.alg, length };
  // Proofs and states precomputed so the loop measures verification only.
  const proofs: SpendProof[] = [];
  const states: ChainIndex[] = [];
  for (let i = 1; i <= length; i++) {
    proofs.push(chain.spendProof(i, 1));
    states.push({ chainId: chain.chainId, index: i, lastPayword: chain.payword(i - 1) });
  }
  let at = 0;
  const paywordRate = measureOpsPerSecond(() => {
    const result = verifySpend({ chain: params, state: states[at]!, proof: proofs[at]!, count: 1 });
    if (!result.ok) throw new Error(result.message);
    at = (at + 1) % length;
  });

  const hasher = chainHasher('sha256', chain.chainId);
  const word = Buffer.from(chain.payword(500), 'hex');
  const hashRate = measureOpsPerSecond(() => hasher.step(500, word));

  const broker = createSigner(signingKeyFromPrivate('bench-broker', '07'.repeat(32)));
  const keys = [publicKeyRecord(broker)];
  const touchstone = signTouchstone(
    {
      chainId: chain.chainId,
      alg: 'sha256',
      root: chain.root,
      length,
      coinValue: 1,
      currency: 'NZD',
      issuedAt: '2026-11-21T08:00:00.000Z',
      expiresAt: '2027-11-21T08:00:00.000Z',
      brokerKeyId: broker.keyId,
    },
    broker,
  );
  // verifyEd25519 remembers good signatures: forgotten before each verification here, so that
  // these figures are verifications (a repeat, answered from memory, is measured on its own).
  const touchstoneRate = measureOpsPerSecond(() => {
    forgetVerifiedSignatures();
    if (!verifyTouchstone(touchstone, keys).ok) throw new Error('touchstone did not verify');
  });
  const message = encodeTouchstoneBody(touchstone);
  const ed25519Rate = measureOpsPerSecond(() => {
    forgetVerifiedSignatures();
    verifyEd25519(broker.publicKey, message, touchstone.signature);
  });
  const repeatRate = measureOpsPerSecond(() =>
    verifyEd25519(broker.publicKey, message, touchstone.signature),
  );

  const payword: BenchFigure = {
    name: 'protocol.payword-verify',
    value: paywordRate,
    unit: 'verifications/s',
    description:
      'verifySpend of 1 coin (one sha256 step, hex decode, constant-time compare) over a 100 000-word chain',
  };
  const signature: BenchFigure = {
    name: 'protocol.touchstone-verify',
    value: touchstoneRate,
    unit: 'verifications/s',
    description: 'verifyTouchstone: validate + canonical encoding + Ed25519 verify (key object cached)',
  };
  return [
    payword,
    {
      name: 'protocol.hash-step',
      value: hashRate,
      unit: 'hashes/s',
      description: 'one domain-separated sha256 chain step on raw bytes',
    },
    signature,
    {
      name: 'protocol.ed25519-verify',
      value: ed25519Rate,
      unit: 'verifications/s',
      description: 'bare Ed25519 verify of a touchstone encoding',
    },
    {
      name: 'protocol.ed25519-verify-repeat',
      value: repeatRate,
      unit: 'verifications/s',
      description: 'the same signature again: answered from the remembered good signatures (a byte compare)',
    },
    ratioFigure(
      'protocol.hash-chain-advantage',
      payword,
      signature,
      'hash-chain advantage: a payword verifies this many times faster than a touchstone signature',
    ),
  ];
}
