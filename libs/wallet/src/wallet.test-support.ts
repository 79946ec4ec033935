// Chains signed by a test broker, as a purchase answer would carry them.
import { generateChain, generateSigningKey, createSigner, signTouchstone, type Touchstone } from '#protocol';

const broker = createSigner(generateSigningKey('broker-test'));

export function boughtChain(
  chainId: string,
  options: {
    length?: number;
    coinValue?: number;
    currency?: string;
    expiresAt?: string;
    vendors?: string[];
  } = {},
): { seed: string; touchstone: Touchstone } {
  const length = options.length ?? 20;
  const chain = generateChain({ chainId, length, alg: 'sha256' });
  const touchstone = signTouchstone(
    {
      chainId,
      alg: 'sha256',
      root: chain.root,
      length,
      coinValue: options.coinValue ?? 5,
      currency: options.currency ?? 'NZD',
      issuedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: options.expiresAt ?? '2027-01-01T00:00:00.000Z',
      ...(options.vendors ? { vendorRestriction: options.vendors } : {}),
      brokerKeyId: broker.keyId,
    },
    broker,
  );
  return { seed: chain.seed, touchstone };
}
