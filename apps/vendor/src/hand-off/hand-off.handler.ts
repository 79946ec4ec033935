import { CHAIN, decideHandOff } from '#chain';
import type { HandOffReply, HandOffRequest } from '#contracts';
import { ConcurrencyError } from '#event-store';
import { assertId } from '#events';
import { signHandOffCertificate, type Signer } from '#protocol';
import type { Clock } from '#platform';
import type { ChainLocks } from '../engine/chain-locks.js';
import type { ChainStates } from '../engine/chain-states.js';
import { notSpendable, refusal, VENDOR } from '../engine/vendor-errors.js';
import type { WalletSlices } from '../debit-wallet/wallet-slices.js';
import type { RevocationList } from '../engine/revocation-list.js';
import type { VendorObserver } from '../engine/vendor-observer.js';

const MAX_ATTEMPTS = 5;

export interface HandOffDeps {
  readonly vendorId: string;
  readonly signer: Signer;
  readonly clock: Clock;
  readonly states: ChainStates;
  readonly locks: ChainLocks;
  readonly slices: WalletSlices;
  readonly revocations: RevocationList;
  readonly observer: VendorObserver;
}

/**
 * Holder A hands a chain to vendor B: under A's chain lock (A's own spends of
 * the chain finish first), 1. read A's state, 2. sign the certificate for
 * (I, W[I-1]), 3. append `IndexHandedOff` expecting that revision, 4. answer
 * with the certificate, T and (server-side wallets) the unspent paywords.
 * From the append on, A's state names B as holder and A refuses the chain.
 */
export class HandOffHandler {
  constructor(private readonly deps: HandOffDeps) {}

  async execute(request: HandOffRequest, correlationId: string): Promise<HandOffReply> {
    const { vendorId } = this.deps;
    assertId(request.chainId);
    assertId(request.toVendor);
    const revoked = this.deps.revocations.pseudonym(request.toVendor);
    if (revoked)
      throw refusal(
        VENDOR.HANDOFF_VENDOR_REVOKED,
        `vendor ${request.toVendor} was revoked: ${revoked.reason}`,
      );
    if (request.toVendor === vendorId)
      throw refusal(CHAIN.HANDOFF_TO_SELF, 'a vendor cannot hand a chain to itself');
    return this.deps.locks.run(request.chainId, () => this.handOff(request, correlationId));
  }

  private async handOff(request: HandOffRequest, correlationId: string): Promise<HandOffReply> {
    const { vendorId, signer, clock, states } = this.deps;
    const { chainId, toVendor } = request;
    let state = await states.current(chainId);
    // Our memory may have missed that someone handed the chain to us: ask the stream before refusing.
    if (state.status === 'open' && state.holder !== vendorId) state = await states.reload(chainId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      if (state.status !== 'open') {
        throw notSpendable(chainId, state.status, state.status === 'absent' ? undefined : state.reason);
      }
      if (state.holder !== vendorId) {
        throw refusal(VENDOR.HANDOFF_NOT_HOLDER, `vendor ${vendorId} does not hold chain ${chainId}`, {
          chainId,
          holder: state.holder ?? null,
        });
      }
      const at = clock.now().toISOString();
      const certificate = signHandOffCertificate(
        {
          chainId,
          fromVendor: vendorId,
          toVendor,
          index: state.index,
          lastPayword: state.lastPayword,
          at,
          vendorKeyId: signer.keyId,
        },
        signer,
      );
      const decision = decideHandOff(state, { certificate, at });
      if (!decision.ok) throw refusal(decision.code, decision.message, { chainId });
      try {
        await states.append(state, decision.events[0]!, {
          correlationId,
          causationId: `handoff:${toVendor}`,
        });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        state = await states.reload(chainId);
        continue;
      }
      const paywords =
        state.wallet === 'server' ? await this.deps.slices.release(chainId, state.index) : undefined;
      return { certificate, touchstone: state.touchstone, ...(paywords ? { paywords } : {}) };
    }
    throw refusal(VENDOR.CHAIN_CONTENDED, `chain ${chainId} kept changing while handing it off`, { chainId });
  }
}
