import { randomUUID } from 'node:crypto';
import { InMemoryEventStore, type EventStore } from '#event-store';
import { ManualClock } from '#platform';
import type { HandOffRequest } from '#contracts';
import {
  createSigner,
  generateSigningKey,
  newNonce,
  signHandOffRequest,
  type HandOffRequestBody,
  type WalletGrant,
} from '#protocol';
import { InMemoryWalletSliceStore } from '../src/debit-wallet/wallet-slice-store.js';
import { InMemoryHotChainStore } from '../src/engine/hot-chain-store.js';
import { VendorEngine } from '../src/engine/vendor-engine.js';
import { handOffResponder } from '../src/hand-off/hand-off.responder.js';
import { InMemoryHandOffNetwork } from '../src/hand-off/hand-off-transport.js';
import type { SpendCoinsCommand } from '../src/spend-coins/spend-coins.command.js';
import { InMemoryBroker, type IssuedChain } from './in-memory-broker.js';

/** Several vendors in one process over one in-memory store: unit tests of the engine. */
export class EngineWorld {
  readonly store: EventStore = new InMemoryEventStore();
  readonly network = new InMemoryHandOffNetwork();
  readonly clock = new ManualClock('2026-06-01T12:00:00.000Z');
  readonly broker = new InMemoryBroker(this.store, () => this.clock.now());
  readonly claims: { chainId: string; fromVendor: string }[] = [];

  /** A vendor; replicas of one vendor pass the same `shared` hot and slice stores. */
  vendor(
    vendorId: string,
    shared: {
      hot?: InMemoryHotChainStore;
      slices?: InMemoryWalletSliceStore;
      store?: EventStore;
      /** The coins it accepts (default NZD coins of 5). */
      accepted?: { currency: string; coinValue?: number };
    } = {},
  ): VendorEngine & { hot: InMemoryHotChainStore } {
    const signer = createSigner(generateSigningKey(`${vendorId}_key`));
    const hot = shared.hot ?? new InMemoryHotChainStore();
    const engine = new VendorEngine({
      vendorId,
      signer,
      clock: this.clock,
      store: shared.store ?? this.store, // a vendor may see the store through a fault
      hot,
      slices: shared.slices ?? new InMemoryWalletSliceStore(),
      broker: this.broker,
      brokerKeys: this.broker.publicKeys(),
      transport: this.network,
      accepted: shared.accepted ?? { currency: 'NZD', coinValue: 5 },
      handOffTimeoutMs: 50,
      checkoutCoins: 10,
      observer: {
        tookOver: (chainId, fromVendor, how) => {
          if (how === 'claim') this.claims.push({ chainId, fromVendor });
        },
      },
    });
    this.broker.registerVendor(vendorId, signer);
    this.network.serve(vendorId, handOffResponder(engine.handOff));
    return Object.assign(engine, { hot });
  }
}

/** The payer's spend of `count` coins at index `index` (showing W[index + count - 1]). */
export function payment(
  issued: IssuedChain,
  index: number,
  count = 1,
  resource = 'article-1',
): SpendCoinsCommand {
  const proof = issued.chain.spendProof(index, count);
  return { ...proof, count, resource, correlationId: randomUUID() };
}

/** The code of a refused promise. */
export async function refusedWith(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  throw new Error('expected a refusal, got an answer');
}

/** Vendor `from`'s signed request to `holder` for a chain, as `TakeOver` sends it; fields may be overridden. */
export async function handOffRequest(
  from: VendorEngine,
  holder: string,
  chainId: string,
  at: Date,
  overrides: Partial<HandOffRequestBody> = {},
  walletGrant?: WalletGrant,
): Promise<HandOffRequest> {
  const body: HandOffRequestBody = {
    chainId,
    holder,
    requester: from.vendorId,
    at: at.toISOString(),
    nonce: newNonce(),
    requesterKeyId: from.signer.keyId,
    ...overrides,
  };
  return {
    request: signHandOffRequest(body, from.signer),
    certificate: await from.certificate.get(),
    ...(walletGrant ? { walletGrant } : {}),
  };
}
