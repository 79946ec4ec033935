import {
  createCipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { ConcurrencyError, type EventStore, type NewEvent } from '#event-store';
import {
  deterministicEventId,
  type ContentAnnounced,
  type ContentWithdrawn,
  type CoinsSpentAtPeer,
  type CurrencyMode,
  type DoubleSpendPolicy,
  type DoubleSpendProven,
  isHolderSpend,
  type P2PEvent,
  p2pStreams,
  type PeerCoinsSold,
  type PeerRedeemed,
  type PeerRedeemedItem,
  type PeerIdentityBound,
  type PeerRegistered,
  type PeerTokensGranted,
  type PseudonymRevoked,
} from '#events';
import { type Clock, idempotencyKeyReused, NetPayError } from '#platform';
import {
  checkDoubleSpendProof,
  type DoubleSpendProof,
  ED25519_KEY_BYTES,
  isFresh,
  isHex,
  P2P,
  paywordAt,
  payloadDigest,
  pseudonymOfChain,
  type PseudonymCertificate,
  type SignedIndexStatement,
  type SignedPeerCall,
  type SignedPeerRegistration,
  type SignedRevocationNotice,
  signPseudonymCertificate,
  signRevocationNotice,
  signTouchstone,
  type Signer,
  statementDigest,
  statementEnd,
  statementPaywordValid,
  type Touchstone,
  verifyIndexStatement,
  verifyPeerCall,
  verifyPeerRegistration,
} from '#protocol';
import { chainValidity } from '../../broker/src/buy-coins/chain-issuer.js';
import {
  decodeP2P,
  foldChainSpends,
  foldPeer,
  granted,
  type PeerState,
  suppliedCoins,
  tokenBalance,
  touchstoneOf,
} from './cis-state.js';

/** The CIS's rules, from `CisConfig`. */
export interface CisSettings {
  readonly mode: CurrencyMode;
  readonly currency: string;
  readonly coinValue: number;
  readonly chainExpiresInDays: number;
  readonly maxCoinsPerPurchase: number;
  readonly policyBase: number;
  readonly policyMultiple: number;
  readonly policyPeriodMs: number;
  readonly nominalGrant: number;
  readonly doubleSpendPolicy: DoubleSpendPolicy;
  readonly certificateDays: number;
  readonly callWindowMs: number;
  readonly peerTtlMs: number;
}

/** First use of a call nonce within the freshness window (Redis in production, memory in unit tests). */
export interface NonceGuard {
  firstUse(nonce: string, ttlMs: number): Promise<boolean>;
}

export class MemoryNonceGuard implements NonceGuard {
  private readonly seen = new Map<string, number>();
  constructor(private readonly clock: Clock) {}
  firstUse(nonce: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    for (const [n, until] of this.seen) if (until < now) this.seen.delete(n);
    if (this.seen.has(nonce)) return Promise.resolve(false);
    this.seen.set(nonce, now + ttlMs);
    return Promise.resolve(true);
  }
}

export interface IndexEntry {
  readonly pseudonym: string;
  readonly contentId: string;
  readonly title: string;
  readonly price: number;
  readonly sha256: string;
  readonly endpoint: string;
}

export interface PurchaseAnswer {
  readonly purchaseId: string;
  readonly chainId: string;
  /** W[n+1]: the e-wallet's chain (derived, so a retry gets the same; never stored). */
  readonly seed: string;
  readonly touchstone: Touchstone;
  readonly policy: PeerCoinsSold['data']['policy'];
}

export interface RedemptionAnswer {
  readonly redemptionId: string;
  readonly coins: number;
  readonly amount: number;
  readonly currency: string;
  readonly mode: CurrencyMode;
  readonly items: readonly PeerRedeemedItem[];
  readonly refused: readonly { readonly digest: string; readonly code: string }[];
  readonly proven: number;
}

export const CIS_ERROR = {
  NOT_REGISTERED: 'CIS.PEER_NOT_REGISTERED',
  KEY_MISMATCH: 'CIS.PSEUDONYM_KEY_MISMATCH',
  /** The identity is registered under another key already: one pseudonym per identity. */
  IDENTITY_REGISTERED: 'CIS.IDENTITY_REGISTERED',
  /** The identity's pseudonym was revoked (a proven double spend): it registers no other. */
  IDENTITY_REVOKED: 'CIS.IDENTITY_REVOKED',
  PURCHASE_CAPPED: 'CIS.PURCHASE_CAPPED',
  TOKENS_INSUFFICIENT: 'CIS.TOKENS_INSUFFICIENT',
  COINS_INVALID: 'CIS.COINS_INVALID',
  CONTENT_UNKNOWN: 'CIS.CONTENT_UNKNOWN',
  UNKNOWN_CHAIN: 'P2P.UNKNOWN_CHAIN',
  ALREADY_REDEEMED: 'P2P.ALREADY_REDEEMED',
  BUSY: 'CIS.BUSY',
  CURRENCY_MISMATCH: 'CIS.CURRENCY_MISMATCH',
} as const;

const ACTOR = 'cis';

/**
 * The Central Index Server: pseudonymous registration, coin sales under the contribution policy,
 * the content index, double-spend proofs and revocation, redemption for peers. Every decision is
 * an event appended with an expected revision, so replicas and retries agree.
 */
export class CisCore {
  /** The index: online content by `pseudonym/contentId`, rebuilt from `p2pcontent-*` at start. */
  private readonly index = new Map<string, IndexEntry>();
  private readonly lastSeen = new Map<string, number>();
  private readonly keyCache = new Map<string, PseudonymCertificate>();
  /** The secret imported once as an HMAC key (a Buffer key is imported again by every createHmac). */
  private readonly macKey: KeyObject;

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly signer: Signer,
    private readonly secret: Buffer,
    private readonly settings: CisSettings,
    private readonly nonces: NonceGuard,
  ) {
    this.macKey = createSecretKey(secret);
  }

  // ------------------------------------------------------------------ registration

  /**
   * A registration over HTTP: signed by the key it registers, within the call window. Without the
   * proof of possession anybody could register a peer's public key first and bind their own
   * identity to its pseudonym.
   */
  async registerSigned(r: SignedPeerRegistration): Promise<{
    pseudonym: string;
    certificate: PseudonymCertificate;
  }> {
    if (!verifyPeerRegistration(r))
      throw new NetPayError(
        P2P.CALL_SIGNATURE_INVALID,
        'the registration is not signed by the key it registers',
        { status: 401 },
      );
    if (!isFresh(r.at, this.clock.now(), this.settings.callWindowMs))
      throw new NetPayError(P2P.CALL_STALE, `the registration was signed at ${r.at}, outside the window`, {
        status: 401,
      });
    return this.register({ identity: r.identity, publicKey: r.publicKey, keyId: r.keyId });
  }

  async register(input: { identity: string; publicKey: string; keyId: string }): Promise<{
    pseudonym: string;
    certificate: PseudonymCertificate;
  }> {
    if (!isHex(input.publicKey, ED25519_KEY_BYTES))
      throw new NetPayError('REQUEST.INVALID', 'publicKey: expected 32 bytes of lowercase hex');
    const pseudonym = `ps_${this.mac('pseudonym', input.publicKey).slice(0, 16)}`;
    const stream = p2pStreams.peer(pseudonym);
    const before = foldPeer(await this.store.readStream(stream));
    if (before.certificate) {
      if (before.certificate.publicKey !== input.publicKey)
        throw new NetPayError(CIS_ERROR.KEY_MISMATCH, 'pseudonym collision', { status: 409 });
      return { pseudonym, certificate: before.certificate };
    }
    const now = this.clock.now();
    await this.bindIdentity(input.identity, pseudonym, now);
    const certificate = signPseudonymCertificate(
      {
        pseudonym,
        keyId: input.keyId,
        publicKey: input.publicKey,
        notBefore: now.toISOString(),
        notAfter: new Date(now.getTime() + this.settings.certificateDays * 86_400_000).toISOString(),
        cisKeyId: this.signer.keyId,
      },
      this.signer,
    );
    const event: PeerRegistered = {
      type: 'PeerRegistered',
      version: 1,
      data: { pseudonym, certificate, identitySealed: this.seal(input.identity), at: now.toISOString() },
    };
    const grant = this.pendingGrant(before, pseudonym, now);
    try {
      await this.append(
        stream,
        grant ? [event, grant] : [event],
        'no_stream',
        deterministicEventId('PeerRegistered', pseudonym),
      );
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      return this.register(input); // a concurrent twin registered it: answer with what is stored
    }
    return { pseudonym, certificate };
  }

  /**
   * Binds the identity to this pseudonym, once: the first registration of an identity appends
   * `PeerIdentityBound` with `no_stream`, so two registrations racing under two keys cannot both
   * win. Registering the identity again under another key is refused, and so is every
   * registration after its pseudonym was revoked: otherwise a proven double spender registered a
   * fresh key under the same identity and went on buying (found by an attack probe). A retry of
   * the same registration (the same key) finds its own binding and goes on. Identities are
   * compared trimmed and case-folded. Registrations made before bindings existed have none: their
   * identity binds on its next new key.
   */
  private async bindIdentity(identity: string, pseudonym: string, now: Date): Promise<void> {
    const identityTag = this.mac('identity', identity.trim().normalize('NFC').toLowerCase()).slice(0, 32);
    const stream = p2pStreams.identity(identityTag);
    for (let attempt = 0; attempt < 5; attempt++) {
      const bound = (await this.store.readStream(stream)).find((e) => e.type === 'PeerIdentityBound');
      const owner = (bound?.data as PeerIdentityBound['data'] | undefined)?.pseudonym;
      if (owner === pseudonym) return;
      if (owner !== undefined) {
        if (foldPeer(await this.store.readStream(p2pStreams.peer(owner))).revoked)
          throw new NetPayError(
            CIS_ERROR.IDENTITY_REVOKED,
            'this identity’s pseudonym was revoked for double spending: it registers no other',
            { status: 403 },
          );
        throw new NetPayError(
          CIS_ERROR.IDENTITY_REGISTERED,
          'this identity is registered under another key: register with that key',
          { status: 409 },
        );
      }
      const event: PeerIdentityBound = {
        type: 'PeerIdentityBound',
        version: 1,
        data: { identityTag, pseudonym, at: now.toISOString() },
      };
      try {
        await this.append(
          stream,
          [event],
          'no_stream',
          deterministicEventId('PeerIdentityBound', identityTag),
        );
        return;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error; // a twin bound it first: read whom
      }
    }
    throw new NetPayError(CIS_ERROR.BUSY, 'the identity record changed under this registration; retry', {
      status: 409,
    });
  }

  /** Checks a peer's signed call: registered, not revoked, fresh, nonce unseen, payload as signed. */
  async authenticate(
    pseudonym: string,
    action: string,
    call: SignedPeerCall,
    payload: unknown,
  ): Promise<PeerState> {
    const state = foldPeer(await this.store.readStream(p2pStreams.peer(pseudonym)));
    if (!state.certificate)
      throw new NetPayError(CIS_ERROR.NOT_REGISTERED, `no peer ${pseudonym} is registered`, { status: 404 });
    if (call.pseudonym !== pseudonym || call.action !== action)
      throw new NetPayError(
        P2P.CALL_SIGNATURE_INVALID,
        `the call is signed for ${call.action} by ${call.pseudonym}`,
        {
          status: 401,
        },
      );
    if (call.digest !== payloadDigest(payload) || !verifyPeerCall(call, state.certificate.publicKey))
      throw new NetPayError(P2P.CALL_SIGNATURE_INVALID, 'the call does not verify with the pseudonym key', {
        status: 401,
      });
    if (!isFresh(call.at, this.clock.now(), this.settings.callWindowMs))
      throw new NetPayError(P2P.CALL_STALE, `the call was signed at ${call.at}, outside the window`, {
        status: 401,
      });
    if (!(await this.nonces.firstUse(`${pseudonym}:${call.nonce}`, this.settings.callWindowMs * 2)))
      throw new NetPayError(
        'P2P.CALL_REPLAYED',
        'this signed call was seen already: to retry, sign the call again (a new nonce) and send it with the same Idempotency-Key',
        { status: 401 },
      );
    if (state.revoked)
      throw new NetPayError(P2P.PSEUDONYM_REVOKED, `pseudonym ${pseudonym} is revoked (double spending)`, {
        status: 403,
      });
    this.lastSeen.set(pseudonym, this.clock.now().getTime());
    return state;
  }

  // ------------------------------------------------------------------ coin sales and the contribution policy

  /**
   * Nominal mode: the grant this peer is owed and has not been recorded yet (one per pseudonym
   * and token currency; a peer registered under money mode gets it before its first nominal
   * purchase). Tokens exist only through a recorded grant or a redemption.
   */
  private pendingGrant(state: PeerState, pseudonym: string, now: Date): PeerTokensGranted | undefined {
    const s = this.settings;
    if (s.mode !== 'nominal' || s.nominalGrant <= 0 || granted(state, s.currency)) return undefined;
    return {
      type: 'PeerTokensGranted',
      version: 1,
      data: { pseudonym, tokens: s.nominalGrant, currency: s.currency, at: now.toISOString() },
    };
  }

  /** How many coins the peer may still buy this period, and why. */
  standing(state: PeerState): PeerCoinsSold['data']['policy'] & { remaining: number; tokens?: number } {
    const s = this.settings;
    const now = this.clock.now().getTime();
    const periodStart = Math.floor(now / s.policyPeriodMs) * s.policyPeriodMs;
    const boughtBefore = state.sales
      .filter((x) => Date.parse(x.at) >= periodStart)
      .reduce((sum, x) => sum + x.coins, 0);
    const supplied = suppliedCoins(state);
    const allowance = s.policyBase + s.policyMultiple * supplied;
    return {
      periodStart: new Date(periodStart).toISOString(),
      base: s.policyBase,
      multiple: s.policyMultiple,
      supplied,
      allowance,
      boughtBefore,
      remaining: Math.max(0, allowance - boughtBefore),
      ...(s.mode === 'nominal'
        ? {
            tokens:
              tokenBalance(state, s.currency) +
              (granted(state, s.currency) ? 0 : Math.max(0, s.nominalGrant)),
          }
        : {}),
    };
  }

  async buy(
    pseudonym: string,
    input: { coins: number; walletNonce: string },
    idempotencyKey: string,
  ): Promise<PurchaseAnswer> {
    const s = this.settings;
    if (!Number.isSafeInteger(input.coins) || input.coins < 1 || input.coins > s.maxCoinsPerPurchase)
      throw new NetPayError(CIS_ERROR.COINS_INVALID, `coins must be 1..${s.maxCoinsPerPurchase}`);
    if (!isHex(input.walletNonce, 32))
      throw new NetPayError('REQUEST.INVALID', 'walletNonce: expected 32 bytes of hex');
    const purchaseId = `pp_${this.mac('purchase', pseudonym, idempotencyKey).slice(0, 24)}`;
    const chainId = `${pseudonym}_c${this.mac('chain', purchaseId).slice(0, 16)}`;
    const seed = this.mac('seed', chainId, input.walletNonce);
    const stream = p2pStreams.peer(pseudonym);
    for (let attempt = 0; attempt < 5; attempt++) {
      const state = foldPeer(await this.store.readStream(stream));
      const done = state.sales.find((x) => x.purchaseId === purchaseId);
      if (done) {
        if (done.touchstone.root !== paywordAt(seed, chainId, done.touchstone.alg, done.touchstone.length, 0))
          throw idempotencyKeyReused('this Idempotency-Key bought with another wallet nonce');
        return { purchaseId, chainId, seed, touchstone: done.touchstone, policy: done.policy };
      }
      if (state.revoked)
        throw new NetPayError(P2P.PSEUDONYM_REVOKED, `pseudonym ${pseudonym} is revoked`, { status: 403 });
      const grant = this.pendingGrant(state, pseudonym, this.clock.now());
      if (grant) {
        // Recorded before the sale that spends it, so the log shows where every token came from.
        try {
          await this.append(
            stream,
            [grant],
            state.revision,
            deterministicEventId('PeerTokensGranted', pseudonym, grant.data.currency),
          );
        } catch (error) {
          if (!(error instanceof ConcurrencyError)) throw error;
        }
        continue;
      }
      const standing = this.standing(state);
      if (input.coins > standing.remaining) {
        throw new NetPayError(
          CIS_ERROR.PURCHASE_CAPPED,
          `contribution policy: this period you may buy ${standing.allowance} coins (base ${standing.base} + ${standing.multiple} × ${standing.supplied} coins you supplied); you bought ${standing.boughtBefore}, ${standing.remaining} remain, you asked ${input.coins}. Share content to raise the limit.`,
          { status: 403, details: { policy: standing, asked: input.coins } },
        );
      }
      const amount = input.coins * s.coinValue;
      if (s.mode === 'nominal' && (standing.tokens ?? 0) < amount)
        throw new NetPayError(
          CIS_ERROR.TOKENS_INSUFFICIENT,
          `nominal mode: ${amount} community tokens needed, ${standing.tokens ?? 0} held (granted + earned − spent)`,
          { status: 403, details: { tokens: standing.tokens, amount } },
        );
      const now = this.clock.now();
      const { issuedAt, expiresAt } = chainValidity(now, s.chainExpiresInDays);
      const touchstone = signTouchstone(
        {
          chainId,
          alg: 'sha256',
          root: paywordAt(seed, chainId, 'sha256', input.coins, 0),
          length: input.coins,
          coinValue: s.coinValue,
          currency: s.currency,
          issuedAt,
          expiresAt,
          brokerKeyId: this.signer.keyId,
        },
        this.signer,
      );
      const { remaining: _r, tokens: _t, ...policy } = standing;
      const sold: PeerCoinsSold = {
        type: 'PeerCoinsSold',
        version: 1,
        data: {
          pseudonym,
          purchaseId,
          touchstone,
          coins: input.coins,
          amount,
          currency: s.currency,
          mode: s.mode,
          policy,
          at: now.toISOString(),
        },
      };
      try {
        await this.append(stream, [sold], state.revision, deterministicEventId('PeerCoinsSold', purchaseId));
        return { purchaseId, chainId, seed, touchstone, policy };
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    throw new NetPayError(CIS_ERROR.BUSY, 'the peer record changed under this purchase; retry', {
      status: 409,
    });
  }

  // ------------------------------------------------------------------ the content index

  async announce(
    pseudonym: string,
    c: { contentId: string; title: string; price: number; sha256: string; endpoint: string },
  ): Promise<IndexEntry> {
    if (!Number.isSafeInteger(c.price) || c.price < 1)
      throw new NetPayError('REQUEST.INVALID', 'price: whole coins ≥ 1');
    if (!isHex(c.sha256, 32)) throw new NetPayError('REQUEST.INVALID', 'sha256: expected 32 bytes of hex');
    if (!/^https?:\/\/[^\s]{1,200}$/.test(c.endpoint))
      throw new NetPayError('REQUEST.INVALID', 'endpoint: an http(s) URL');
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.contentId))
      throw new NetPayError('REQUEST.INVALID', 'contentId: 1-64 of A-Z a-z 0-9 _ . -');
    if (typeof c.title !== 'string' || c.title.length < 1 || c.title.length > 200)
      throw new NetPayError('REQUEST.INVALID', 'title: 1-200 characters');
    const entry: IndexEntry = { pseudonym, ...c };
    const key = `${pseudonym}/${c.contentId}`;
    const same = this.index.get(key);
    if (same && JSON.stringify(same) === JSON.stringify(entry)) return entry; // a retry or a re-announcement
    const event: ContentAnnounced = {
      type: 'ContentAnnounced',
      version: 1,
      data: { ...entry, at: this.clock.now().toISOString() },
    };
    await this.append(
      p2pStreams.content(pseudonym),
      [event],
      'any',
      deterministicEventId('ContentAnnounced', key, JSON.stringify(entry), event.data.at),
    );
    this.index.set(key, entry);
    return entry;
  }

  async withdraw(
    pseudonym: string,
    contentId: string,
    reason: ContentWithdrawn['data']['reason'],
  ): Promise<boolean> {
    const key = `${pseudonym}/${contentId}`;
    if (!this.index.has(key)) return false;
    const at = this.clock.now().toISOString();
    const event: ContentWithdrawn = {
      type: 'ContentWithdrawn',
      version: 1,
      data: { pseudonym, contentId, reason, at },
    };
    await this.append(
      p2pStreams.content(pseudonym),
      [event],
      'any',
      deterministicEventId('ContentWithdrawn', key, at),
    );
    this.index.delete(key);
    return true;
  }

  search(query: string): IndexEntry[] {
    const q = query.toLowerCase();
    return [...this.index.values()]
      .filter((e) => q === '' || e.title.toLowerCase().includes(q) || e.contentId.toLowerCase().includes(q))
      .sort((a, b) => a.contentId.localeCompare(b.contentId) || a.pseudonym.localeCompare(b.pseudonym));
  }

  /** Withdraws the content of peers not heard from (call, announce or heartbeat) within the TTL. */
  async sweepOffline(): Promise<string[]> {
    const now = this.clock.now().getTime();
    const gone: string[] = [];
    for (const entry of [...this.index.values()]) {
      const seen = this.lastSeen.get(entry.pseudonym) ?? 0;
      if (
        now - seen > this.settings.peerTtlMs &&
        (await this.withdraw(entry.pseudonym, entry.contentId, 'offline'))
      )
        gone.push(`${entry.pseudonym}/${entry.contentId}`);
    }
    return gone;
  }

  /** Rebuilds the index from the events (start-up): replayable. Peers count as seen now. */
  async rebuildIndex(): Promise<number> {
    this.index.clear();
    const now = this.clock.now().getTime();
    let after: bigint | undefined;
    for (;;) {
      const page = await this.store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 1000 });
      if (page.length === 0) break;
      for (const recorded of page) {
        if (!recorded.streamName.startsWith('p2pcontent-')) continue;
        const e = decodeP2P(recorded);
        if (e?.type === 'ContentAnnounced') {
          const { at: _at, ...entry } = e.data;
          this.index.set(`${entry.pseudonym}/${entry.contentId}`, entry);
          this.lastSeen.set(entry.pseudonym, now);
        } else if (e?.type === 'ContentWithdrawn')
          this.index.delete(`${e.data.pseudonym}/${e.data.contentId}`);
      }
      after = page[page.length - 1]!.position;
    }
    return this.index.size;
  }

  // ------------------------------------------------------------------ double spending

  /** Verifies a proof (two statements the pseudonym signed that overlap), records it and revokes the pseudonym. */
  async proveDoubleSpend(
    proof: DoubleSpendProof,
    detectedAt: DoubleSpendProven['data']['detectedAt'],
    unpaidPayee = '',
  ): Promise<{ pseudonym: string; overlap: readonly [number, number]; notice: SignedRevocationNotice }> {
    const pseudonym = pseudonymOfChain(proof.first.chainId);
    const cert = pseudonym === undefined ? undefined : await this.certificateOf(pseudonym);
    if (!pseudonym || !cert || proof.first.pseudonym !== pseudonym)
      throw new NetPayError(P2P.PROOF_INVALID, 'the statements name no registered holder of the chain', {
        status: 422,
      });
    const check = checkDoubleSpendProof(proof, cert.publicKey);
    if (!check.ok) throw new NetPayError(check.code, check.message, { status: 422 });
    const [a, b] = [statementDigest(proof.first), statementDigest(proof.second)].sort();
    const at = this.clock.now().toISOString();
    const event: DoubleSpendProven = {
      type: 'DoubleSpendProven',
      version: 1,
      data: {
        chainId: check.chainId,
        pseudonym,
        first: proof.first,
        second: proof.second,
        overlap: check.overlap,
        detectedAt,
        unpaidPayee,
        policy: this.settings.doubleSpendPolicy,
        at,
      },
    };
    await this.append(
      p2pStreams.chain(check.chainId),
      [event],
      'any',
      // Ids keyed by the CIS's secret: the cheater knows both digests and could take a plain
      // id first in this stream (peers write it), turning the proof's append into a duplicate.
      deterministicEventId('DoubleSpendProven', this.mac('proof-event', a!, b!)),
    );
    const notice = await this.revoke(pseudonym, check.chainId);
    return { pseudonym, overlap: check.overlap, notice };
  }

  async revoke(pseudonym: string, chainId: string): Promise<SignedRevocationNotice> {
    const stream = p2pStreams.peer(pseudonym);
    const events = await this.store.readStream(stream);
    for (const r of events) {
      const e = decodeP2P(r);
      if (e?.type === 'PseudonymRevoked') return e.data.notice;
    }
    const at = this.clock.now().toISOString();
    const notice = signRevocationNotice(
      { kind: 'pseudonym', id: pseudonym, reason: 'DOUBLE_SPEND', at, brokerKeyId: this.signer.keyId },
      this.signer,
    );
    const event: PseudonymRevoked = {
      type: 'PseudonymRevoked',
      version: 1,
      data: { pseudonym, notice, chainId, at },
    };
    await this.append(stream, [event], 'any', deterministicEventId('PseudonymRevoked', pseudonym));
    for (const entry of this.search(''))
      if (entry.pseudonym === pseudonym) await this.withdraw(pseudonym, entry.contentId, 'revoked');
    return notice;
  }

  async revocations(): Promise<SignedRevocationNotice[]> {
    const out: SignedRevocationNotice[] = [];
    let after: bigint | undefined;
    for (;;) {
      const page = await this.store.readAll({ ...(after === undefined ? {} : { after }), maxCount: 1000 });
      if (page.length === 0) return out;
      for (const r of page) {
        const e = r.streamName.startsWith('peer-') ? decodeP2P(r) : undefined;
        if (e?.type === 'PseudonymRevoked') out.push(e.data.notice);
      }
      after = page[page.length - 1]!.position;
    }
  }

  // ------------------------------------------------------------------ redemption

  /**
   * An S-peer redeems the statements it accepted. Each must pay it, verify with the holder's
   * key and hash to T's root. Statements the S-peer could not record while off-line are uploaded
   * here (`CoinsSpentAtPeer` via `upload`); an overlap with another recorded statement is a
   * proven double spend. Policy `first-recorded`: of overlapping statements, the one the store
   * recorded first is paid. Policy `cover`: both are paid.
   */
  async redeem(
    pseudonym: string,
    input: { statements: readonly SignedIndexStatement[]; proofs: readonly DoubleSpendProof[] },
    idempotencyKey: string,
  ): Promise<RedemptionAnswer> {
    const redemptionId = `pr_${this.mac('redemption', pseudonym, idempotencyKey).slice(0, 24)}`;
    let proven = 0;
    for (const proof of input.proofs) {
      try {
        await this.proveDoubleSpend(proof, 'spend', pseudonym);
        proven += 1;
      } catch (error) {
        if (!(error instanceof NetPayError)) throw error;
      }
    }
    const items: PeerRedeemedItem[] = [];
    const refused: { digest: string; code: string }[] = [];
    const value = new Map<string, number>();
    for (const statement of input.statements) {
      const digest = statementDigest(statement);
      if (value.has(digest) || refused.some((r) => r.digest === digest)) continue; // shown twice in one upload
      const verdict = await this.judge(pseudonym, statement, digest);
      if (verdict.ok) {
        items.push({
          chainId: statement.chainId,
          digest,
          fromIndex: statement.fromIndex,
          toIndex: statementEnd(statement),
          coins: statement.count,
        });
        value.set(digest, statement.count * verdict.coinValue);
        if (verdict.proven) proven += 1;
      } else {
        refused.push({ digest, code: verdict.code });
        if (verdict.code === P2P.DOUBLE_SPEND) proven += 1;
      }
    }
    const stream = p2pStreams.peer(pseudonym);
    for (let attempt = 0; attempt < 5; attempt++) {
      const state = foldPeer(await this.store.readStream(stream));
      const done = state.redemptions.find((r) => r.redemptionId === redemptionId);
      if (done) return { ...done, proven };
      const fresh = items.filter((i) => !state.redeemedDigests.has(i.digest));
      const already = items.filter((i) => state.redeemedDigests.has(i.digest));
      const coins = fresh.reduce((s, i) => s + i.coins, 0);
      const amount = fresh.reduce((s, i) => s + (value.get(i.digest) ?? 0), 0);
      const event: PeerRedeemed = {
        type: 'PeerRedeemed',
        version: 1,
        data: {
          pseudonym,
          redemptionId,
          items: fresh,
          refused: [
            ...refused,
            ...already.map((i) => ({ digest: i.digest, code: CIS_ERROR.ALREADY_REDEEMED })),
          ],
          coins,
          amount,
          currency: this.settings.currency,
          mode: this.settings.mode,
          at: this.clock.now().toISOString(),
        },
      };
      try {
        await this.append(
          stream,
          [event],
          state.revision,
          deterministicEventId('PeerRedeemed', redemptionId),
        );
        return { ...event.data, proven };
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    throw new NetPayError(CIS_ERROR.BUSY, 'the peer record changed under this redemption; retry', {
      status: 409,
    });
  }

  private async judge(
    payee: string,
    s: SignedIndexStatement,
    digest: string,
  ): Promise<{ ok: true; coinValue: number; proven?: true } | { ok: false; code: string }> {
    if (s.payee !== payee) return { ok: false, code: P2P.NOT_PAYEE };
    // Paid to itself, a redemption would hand the R-peer its own coins back as "supplied" coins,
    // raising its purchase allowance for nothing (the contribution policy's whole point).
    if (s.payee === s.pseudonym) return { ok: false, code: P2P.SELF_PAYMENT };
    const holder = pseudonymOfChain(s.chainId);
    if (!holder || holder !== s.pseudonym) return { ok: false, code: P2P.HOLDER_MISMATCH };
    const holderState = foldPeer(await this.store.readStream(p2pStreams.peer(holder)));
    const t = touchstoneOf(holderState, s.chainId);
    if (!t || !holderState.certificate) return { ok: false, code: CIS_ERROR.UNKNOWN_CHAIN };
    // A chain sold in money is never paid out in community tokens, nor the reverse (mode changed).
    if (t.currency !== this.settings.currency) return { ok: false, code: CIS_ERROR.CURRENCY_MISMATCH };
    if (
      s.keyId !== holderState.certificate.keyId ||
      !verifyIndexStatement(s, holderState.certificate.publicKey)
    )
      return { ok: false, code: P2P.STATEMENT_SIGNATURE_INVALID };
    if (!statementPaywordValid(s, t)) return { ok: false, code: P2P.PAYWORD_FORGED };
    const { keyId, publicKey } = holderState.certificate;
    const stream = p2pStreams.chain(s.chainId);
    for (let attempt = 0; attempt < 5; attempt++) {
      const chain = foldChainSpends(await this.store.readStream(stream));
      // Only statements that verify count as recorded: a peer may write this stream, not forge in it.
      const valid = chain.spends.filter((r) => isHolderSpend(r, { pseudonym: holder, keyId, publicKey }, t));
      const conflict = valid.find((r) => r.digest !== digest && overlaps(r.statement, s));
      const mine = valid.find((r) => r.digest === digest);
      if (conflict) {
        const firstRecorded = mine === undefined || valid.indexOf(conflict) < valid.indexOf(mine);
        const unpaid = firstRecorded ? s.payee : conflict.payee;
        await this.proveDoubleSpend({ first: conflict.statement, second: s }, 'redemption', unpaid);
        if (firstRecorded && this.settings.doubleSpendPolicy === 'first-recorded') {
          if (!mine) await this.recordUpload(stream, s, digest, 'any');
          return { ok: false, code: P2P.DOUBLE_SPEND };
        }
      }
      // Under `cover` a proven double spend is paid all the same, and counted as proven.
      const paid = {
        ok: true as const,
        coinValue: t.coinValue,
        ...(conflict ? { proven: true as const } : {}),
      };
      if (mine) return paid;
      try {
        await this.recordUpload(stream, s, digest, chain.revision);
        if (conflict) continue; // recorded: judged again against the stream as it is now
        return paid;
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
      }
    }
    return { ok: false, code: CIS_ERROR.BUSY };
  }

  private async recordUpload(
    stream: string,
    s: SignedIndexStatement,
    digest: string,
    expected: number | 'no_stream' | 'any',
  ): Promise<void> {
    const event: CoinsSpentAtPeer = {
      type: 'CoinsSpentAtPeer',
      version: 1,
      data: {
        chainId: s.chainId,
        payee: s.payee,
        statement: s,
        digest,
        via: 'upload',
        at: this.clock.now().toISOString(),
      },
    };
    const id = deterministicEventId('CoinsSpentAtPeer', this.mac('spend-event', digest));
    await this.append(stream, [event], expected, id);
  }

  // ------------------------------------------------------------------ helpers

  async certificateOf(pseudonym: string): Promise<PseudonymCertificate | undefined> {
    const cached = this.keyCache.get(pseudonym);
    if (cached) return cached;
    const cert = foldPeer(await this.store.readStream(p2pStreams.peer(pseudonym))).certificate;
    if (cert) this.keyCache.set(pseudonym, cert);
    return cert;
  }

  async peerState(pseudonym: string): Promise<PeerState> {
    return foldPeer(await this.store.readStream(p2pStreams.peer(pseudonym)));
  }

  publicKeys(): { keyId: string; publicKey: string }[] {
    return [{ keyId: this.signer.keyId, publicKey: this.signer.publicKey }];
  }

  /** The content ids the index lists for `pseudonym` now. */
  listedBy(pseudonym: string): string[] {
    return [...this.index.values()].filter((e) => e.pseudonym === pseudonym).map((e) => e.contentId);
  }

  heartbeat(pseudonym: string): void {
    this.lastSeen.set(pseudonym, this.clock.now().getTime());
  }

  private async append(
    stream: string,
    events: readonly P2PEvent[],
    expected: number | 'no_stream' | 'any',
    id: string,
  ): Promise<void> {
    const newEvents: NewEvent[] = events.map((e, i) => ({
      id: i === 0 ? id : deterministicEventId(id, i),
      type: e.type,
      version: e.version,
      data: e.data,
      metadata: { correlationId: id, causationId: id, actor: ACTOR },
    }));
    await this.store.appendToStream(stream, newEvents, { expectedRevision: expected });
  }

  private mac(...parts: string[]): string {
    return createHmac('sha256', this.macKey).update(parts.join('\u001f')).digest('hex');
  }

  /** AES-256-GCM under a key derived from the CIS secret: the real identity, readable by the CIS only. */
  private seal(identity: string): string {
    const key = createHash('sha256').update(this.secret).update('identity-seal').digest();
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(identity, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }
}

export function overlaps(a: SignedIndexStatement, b: SignedIndexStatement): boolean {
  return (
    a.chainId === b.chainId &&
    Math.max(a.fromIndex, b.fromIndex) <= Math.min(statementEnd(a), statementEnd(b))
  );
}
