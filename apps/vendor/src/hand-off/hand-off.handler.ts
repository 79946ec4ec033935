import { CHAIN, decideHandOff, withdrawnGrant, type ChainState } from '#chain';
import type { HandOffReply, HandOffRequest } from '#contracts';
import { ConcurrencyError } from '#event-store';
import type { Clock } from '#platform';
import {
  checkHandOffRequest,
  checkWalletGrant,
  HAND_OFF_REQUEST,
  signHandOffCertificate,
  type ReplayGuard,
  type Signer,
  type VendorKeyCertificate,
  type WalletGrant,
} from '#protocol';
import type { ChainLocks } from '../engine/chain-locks.js';
import type { ChainStates } from '../engine/chain-states.js';
import type { KeyDirectory } from '../engine/key-directory.js';
import { notSpendable, refusal, VENDOR } from '../engine/vendor-errors.js';
import type { WalletSlices } from '../debit-wallet/wallet-slices.js';
import type { RevocationList } from '../engine/revocation-list.js';
import type { VendorObserver } from '../engine/vendor-observer.js';
import type { OwnCertificate } from './own-certificate.js';

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
  /** The pinned broker keys: requesters' certificates and wallet grants are checked against them. */
  readonly keys: KeyDirectory;
  /** This vendor's certificate, sent with the answer so the requester needs no broker call. */
  readonly certificate: OwnCertificate;
  /** Nonces of requests seen within the window. */
  readonly replays: ReplayGuard;
  /** How far a request's `at` may be from this vendor's clock. */
  readonly windowMs: number;
}

/**
 * Holder A hands a chain to vendor B. First the request itself: B's
 * certificate (pinned broker key, valid, for B), B's signature, addressed to
 * A, fresh, nonce unseen — before anything is read or appended. Then, under
 * A's chain lock (A's own spends of the chain finish first), 1. read A's
 * state, 2. a server-side wallet needs the broker's grant for B, 3. sign the
 * certificate for (I, W[I-1]), 4. append `IndexHandedOff` expecting that
 * revision, 5. answer with the certificate, A's key certificate, T and
 * (server-side wallets) the unspent paywords.
 */
export class HandOffHandler {
  constructor(private readonly deps: HandOffDeps) {}

  async execute(message: HandOffRequest, correlationId: string): Promise<HandOffReply> {
    const { vendorId, clock } = this.deps;
    const { request, certificate } = message;
    const now = clock.now();
    const check = checkHandOffRequest(request, certificate, {
      holder: vendorId,
      brokerKeys: this.deps.keys.broker,
      now,
      windowMs: this.deps.windowMs,
    });
    if (!check.ok) throw refusal(check.code, check.message, { chainId: request.chainId });
    // Only authenticated requests reach the nonce cache: junk cannot fill it.
    if (!this.deps.replays.firstUse(`${request.requester}:${request.nonce}`, request.at, now)) {
      throw refusal(HAND_OFF_REQUEST.REPLAYED, 'this hand-off request was received already', {
        chainId: request.chainId,
      });
    }
    const toVendor = request.requester;
    const revoked = this.deps.revocations.pseudonym(toVendor);
    if (revoked)
      throw refusal(VENDOR.HANDOFF_VENDOR_REVOKED, `vendor ${toVendor} was revoked: ${revoked.reason}`);
    const suspended = this.deps.revocations.suspended(toVendor);
    if (suspended)
      throw refusal(
        VENDOR.HANDOFF_VENDOR_SUSPENDED,
        `vendor ${toVendor} is suspended since ${suspended.at}: ${suspended.reason}`,
      );
    if (toVendor === vendorId) throw refusal(CHAIN.HANDOFF_TO_SELF, 'a vendor cannot hand a chain to itself');
    const own = await this.deps.certificate.get();
    const reply = await this.deps.locks.run(request.chainId, () =>
      this.handOff(request.chainId, toVendor, message.walletGrant, correlationId, own),
    );
    return { ...reply, holderCertificate: own };
  }

  private async handOff(
    chainId: string,
    toVendor: string,
    grant: WalletGrant | undefined,
    correlationId: string,
    /** Our broker-signed key certificate: the event carries it, so every fold can verify the hand-off. */
    holderCertificate: VendorKeyCertificate,
  ): Promise<Omit<HandOffReply, 'holderCertificate'>> {
    const { vendorId, signer, clock, states } = this.deps;
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
      if (state.wallet === 'server') this.checkGrant(state, toVendor, grant);
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
      const decision = decideHandOff(state, {
        certificate,
        holderCertificate,
        ...(grant ? { grantIssuedAt: grant.issuedAt } : {}),
        at,
      });
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

  /** A customer's server-side wallet moves only to a vendor the broker says the customer authorises. */
  private checkGrant(state: ChainState, toVendor: string, grant: WalletGrant | undefined): void {
    const chainId = state.status === 'absent' ? '' : state.chainId;
    if (!grant) {
      throw refusal(
        VENDOR.HANDOFF_WALLET_NOT_AUTHORISED,
        `chain ${chainId} is a server-side wallet: ${toVendor} must show the broker's wallet grant`,
        { chainId },
      );
    }
    const check = checkWalletGrant(grant, this.deps.keys.broker, {
      chainId,
      vendorId: toVendor,
      now: this.deps.clock.now(),
    });
    if (!check.ok) {
      throw refusal(VENDOR.HANDOFF_WALLET_NOT_AUTHORISED, check.message, { chainId, reason: check.code });
    }
    // The customer withdrew the vendor after this grant was issued (recorded on the chain).
    const withdrawn = state.status === 'absent' ? undefined : withdrawnGrant(state, toVendor, grant.issuedAt);
    if (withdrawn !== undefined) {
      throw refusal(VENDOR.HANDOFF_WALLET_NOT_AUTHORISED, withdrawn, {
        chainId,
        reason: CHAIN.VENDOR_WITHDRAWN,
      });
    }
  }
}
