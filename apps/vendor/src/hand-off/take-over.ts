import { decideClaim, evolve, type ChainState } from '#chain';
import type { HandOffReply } from '#contracts';
import { ConcurrencyError } from '#event-store';
import { signClaim, streams } from '#events';
import {
  newNonce,
  parseHandOffCertificate,
  parseVendorKeyCertificate,
  ProtocolError,
  signHandOffRequest,
  verifyHandOffCertificate,
  type HandOffCertificate,
  type PublicKeyRecord,
  type Signer,
  type WalletGrant,
} from '#protocol';
import type { Clock } from '#platform';
import type { KnownChain, OpenChain } from '../engine/chain-record.js';
import type { ChainStates } from '../engine/chain-states.js';
import type { KeyDirectory } from '../engine/key-directory.js';
import type { PendingHandOffs } from '../engine/pending-hand-offs.js';
import type { RevocationList } from '../engine/revocation-list.js';
import type { HandOffOutcome, VendorObserver } from '../engine/vendor-observer.js';
import { holderRefusal, refusal, VENDOR } from '../engine/vendor-errors.js';
import type { WalletSlices } from '../debit-wallet/wallet-slices.js';
import type { HandOffTransport } from './hand-off-transport.js';
import type { OwnCertificate } from './own-certificate.js';

const MAX_CLAIM_ATTEMPTS = 5;

/** Refusals from the holder after which the stream may name another holder: look again. */
const LOOK_AGAIN = new Set<string>([
  VENDOR.HANDOFF_NOT_HOLDER,
  VENDOR.CHAIN_CONTENDED,
  'EVENT_STORE.UNAVAILABLE',
]);

export interface TakeOverDeps {
  readonly vendorId: string;
  /** Signs the hand-off requests (with the key `certificate` certifies). */
  readonly signer: Signer;
  readonly certificate: OwnCertificate;
  readonly clock: Clock;
  readonly states: ChainStates;
  readonly keys: KeyDirectory;
  readonly transport: HandOffTransport;
  readonly pending: PendingHandOffs;
  readonly slices: WalletSlices;
  readonly timeoutMs: number;
  readonly observer: VendorObserver;
  /** The broker's CRL: a holder suspended for fraud is not asked, its hold is claimed back. */
  readonly revocations?: RevocationList;
}

/**
 * Vendor B takes a chain held by vendor A (called under B's chain lock):
 * ask A over NATS for a hand-off (a request signed by B, with B's key
 * certificate and, for a server-side wallet, the broker's grant) and check
 * A's certificate with the key A's own certificate vouches for; if A does not
 * answer within the time-out, claim the chain from the store's state. Either
 * way the answer is the chain's state as B now knows it; the caller decides
 * again on it (B may still not be the holder if the chain moved elsewhere).
 */
export class TakeOver {
  constructor(private readonly deps: TakeOverDeps) {}

  async from(state: OpenChain, correlationId: string, walletGrant?: WalletGrant): Promise<ChainState> {
    const { vendorId, clock, pending, transport, timeoutMs, signer } = this.deps;
    const holder = state.holder!;
    const chainId = state.chainId;
    const certificate = await this.deps.certificate.get();
    pending.begin({ chainId, fromVendor: holder, since: clock.now().toISOString() });
    // Wall time of the whole hand-off (request to A, certificate check, append), for the latency
    // histogram; not the domain clock, which tests freeze.
    const started = performance.now();
    let outcome: HandOffOutcome = 'refused';
    try {
      // A holder suspended for fraud (it may have claimed the chain from an honest vendor) is not
      // trusted to answer: the chain is claimed from it at once, as from a holder that is down.
      // Claiming (not ignoring its ChainClaimed in the fold) keeps every reader's fold the same,
      // the redemption worker's included, so honest spends after it are never "not the holder".
      const suspended = this.deps.revocations?.suspended(holder);
      if (suspended) {
        const claimed = await this.claim(chainId, holder, 'holder-suspended', correlationId, walletGrant);
        outcome = 'claimed';
        return claimed;
      }
      const request = signHandOffRequest(
        {
          chainId,
          holder,
          requester: vendorId,
          at: clock.now().toISOString(),
          nonce: newNonce(),
          requesterKeyId: signer.keyId,
        },
        signer,
      );
      const answer = await transport.request(
        holder,
        { request, certificate, ...(walletGrant ? { walletGrant } : {}), correlationId },
        timeoutMs,
      );
      if (answer.kind === 'unanswered') {
        const claimed = await this.claim(chainId, holder, answer.reason, correlationId, walletGrant);
        outcome = 'claimed';
        return claimed;
      }
      if (!answer.reply.ok) {
        const { code, message } = holderRefusal(answer.reply.error);
        // A no longer holds it (or was busy): the stream says who does. Any other refusal stands.
        if (!LOOK_AGAIN.has(code)) throw refusal(code, `holder ${holder}: ${message}`, { chainId });
        const reloaded = await this.deps.states.reload(chainId);
        outcome = 'redirected';
        return reloaded;
      }
      const next = await this.accept(state, holder, answer.reply.value);
      outcome = 'handed-off';
      return next;
    } finally {
      pending.end(chainId);
      this.deps.observer.handOffTimed?.(outcome, (performance.now() - started) / 1000);
    }
  }

  /** Checks A's certificate, keeps released paywords, and moves to the state after the hand-off. */
  private async accept(before: OpenChain, holder: string, reply: HandOffReply): Promise<ChainState> {
    const { vendorId, states } = this.deps;
    const certificate = this.checkedCertificate(before.chainId, holder, reply);
    const check = verifyHandOffCertificate(certificate, [
      this.holderKey(before.chainId, holder, reply, certificate),
    ]);
    if (!check.ok) {
      throw refusal(VENDOR.CERTIFICATE_INVALID, `hand-off certificate from ${holder}: ${check.message}`, {
        chainId: before.chainId,
        reason: check.code,
      });
    }
    if (reply.paywords && reply.paywords.length > 0) {
      await this.deps.slices.add(
        before.touchstone,
        certificate.index,
        certificate.lastPayword,
        reply.paywords,
      );
    }
    // One cheap read finds the revision of A's IndexHandedOff; anything unexpected → fold the stream.
    const last = await states.lastEvent(before.chainId);
    if (
      last?.event.type === 'IndexHandedOff' &&
      last.event.data.certificate.signature === certificate.signature &&
      last.revision === before.revision + 1 &&
      before.index === certificate.index &&
      before.lastPayword === certificate.lastPayword
    ) {
      const next = evolve(before, last.event, last.revision) as KnownChain;
      if (next.status === 'open' && next.holder === vendorId) {
        states.remember(next);
        this.deps.observer.tookOver?.(before.chainId, holder, 'hand-off');
        return next;
      }
    }
    const reloaded = await states.reload(before.chainId);
    if (reloaded.status === 'open' && reloaded.holder === vendorId)
      this.deps.observer.tookOver?.(before.chainId, holder, 'hand-off');
    return reloaded;
  }

  /** The key A's own certificate vouches for (checked against the pinned broker keys: no broker call). */
  private holderKey(
    chainId: string,
    holder: string,
    reply: HandOffReply,
    certificate: HandOffCertificate,
  ): PublicKeyRecord {
    try {
      return this.deps.keys.certifiedKey(parseVendorKeyCertificate(reply.holderCertificate), {
        vendorId: holder,
        keyId: certificate.vendorKeyId,
        now: this.deps.clock.now(),
      });
    } catch (error) {
      const reason =
        error instanceof ProtocolError ? 'CERTIFICATE.INVALID' : (error as { code?: string }).code;
      throw refusal(VENDOR.CERTIFICATE_INVALID, `key certificate of ${holder}: ${(error as Error).message}`, {
        chainId,
        reason,
      });
    }
  }

  private checkedCertificate(chainId: string, holder: string, reply: HandOffReply): HandOffCertificate {
    let certificate: HandOffCertificate;
    try {
      certificate = parseHandOffCertificate(reply.certificate);
    } catch (error) {
      throw refusal(
        VENDOR.CERTIFICATE_INVALID,
        `malformed hand-off certificate from ${holder}: ${String(error)}`,
        { chainId },
      );
    }
    if (
      certificate.chainId !== chainId ||
      certificate.fromVendor !== holder ||
      certificate.toVendor !== this.deps.vendorId
    ) {
      throw refusal(
        VENDOR.CERTIFICATE_INVALID,
        `hand-off certificate from ${holder} is for another transfer`,
        { chainId },
      );
    }
    return certificate;
  }

  /** The holder is silent: take the chain from the store's state; its late appends will then fail. */
  private async claim(
    chainId: string,
    holder: string,
    reason: string,
    correlationId: string,
    walletGrant?: WalletGrant,
  ): Promise<ChainState> {
    const { vendorId, clock, states, signer } = this.deps;
    // Readers believe a claim only when it is signed by its claimant, with the broker's certificate.
    const certificate = await this.deps.certificate.get();
    for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
      const fresh = await states.reload(chainId);
      if (fresh.status !== 'open' || fresh.holder !== holder) return fresh;
      const decision = decideClaim(fresh, {
        fromVendor: holder,
        toVendor: vendorId,
        at: clock.now().toISOString(),
        // The customer's authority, for readers that must tell a re-authorised vendor from a
        // withdrawn one (the redemption replay): signed along with the claim.
        ...(walletGrant ? { walletGrant } : {}),
      });
      if (!decision.ok) throw refusal(decision.code, decision.message, { chainId });
      try {
        const signed = signClaim(
          signer,
          certificate,
          streams.chain(chainId),
          fresh.revision + 1,
          decision.events[0]!,
        );
        const next = await states.append(fresh, signed, {
          correlationId,
          causationId: `claim:${vendorId}`,
        });
        this.deps.observer.tookOver?.(chainId, holder, 'claim', reason);
        return next;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    throw refusal(VENDOR.CHAIN_CONTENDED, `chain ${chainId} kept changing while claiming it from ${holder}`, {
      chainId,
    });
  }
}
