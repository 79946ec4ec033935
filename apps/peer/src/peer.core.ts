import { createHash, randomUUID } from 'node:crypto';
import { ConcurrencyError, type EventStore } from '#event-store';
import {
  type CoinsSpentAtPeer,
  deterministicEventId,
  isHolderSpend,
  p2pStreams,
  spendAtPeerOf,
} from '#events';
import { type Clock, NetPayError } from '#platform';
import {
  checkP2PPayment,
  type DoubleSpendProof,
  type KeyRing,
  P2P,
  type P2PPayment,
  parseP2PPayment,
  parseSignedRevocationNotice,
  ProtocolError,
  PSEUDONYM_PATTERN,
  type PseudonymCertificate,
  type SignedIndexStatement,
  type Signer,
  statementDigest,
  statementEnd,
  verifyRevocationNotice,
  verifyTouchstone,
} from '#protocol';
import { P2PWallet } from '#wallet';
import { CisClient, CisUnreachableError, type IndexEntry, type RedemptionSummary } from './cis-client.js';
import { WalletFile } from './wallet-file.js';
import { Journal } from './journal.js';
import { peerRequest, type Sale, saleOf } from './peer-request.js';
import { PASSED_ON, purchaseStatusOf } from './purchase-refusals.js';

export type { Sale } from './peer-request.js';

/**
 * Tries of one CIS purchase, and the first wait between them (doubled: 0.5, 1 s). Three tries of
 * at most 10 s each stay near the CIS's 30 s hold on a key in progress.
 */
const BUY_ATTEMPTS = 3;
const BUY_RETRY_MS = 500;
/** Tries of one payment sent to an S-peer whose answer is lost, and the first wait between them. */
const SEND_ATTEMPTS = 3;
const SEND_RETRY_MS = 250;

export interface SharedContent {
  readonly contentId: string;
  readonly title: string;
  readonly price: number;
  readonly bytes: Buffer;
}

export interface Offer {
  readonly payee: string;
  readonly contentId: string;
  readonly title: string;
  readonly price: number;
  readonly sha256: string;
}

export interface PeerOptions {
  readonly identity: string;
  readonly signer: Signer;
  readonly cisUrl: string;
  /** The CIS's public keys, pinned from configuration (never taken from an answer). */
  readonly cisKeys: KeyRing;
  readonly clock: Clock;
  /** This peer's own HTTP address, announced to the CIS. */
  readonly endpoint: string;
  /** The event store, when this peer may reach it (spends recorded at once, double spends caught at once). */
  readonly store?: EventStore;
  readonly journalDir?: string;
}

/**
 * One P2P-NetPay peer: an S-peer that sells its shared content for e-coins, verifying payments
 * off-line, and an R-peer that buys coins at the CIS and pays other peers with them.
 */
export class PeerCore {
  readonly journal: Journal;
  readonly cis: CisClient;
  private readonly content = new Map<string, SharedContent & { sha256: string }>();
  private readonly revoked = new Set<string>();
  /** Purchases running, by operation. */
  private readonly buying = new Map<string, Promise<{ chainId: string; coins: number }>>();
  /** The wallet's run: purchases derive from it (see `buy`); kept with the wallet when it is kept. */
  private run: string = randomUUID();
  /** The last point of each chain this S-peer knows, so a returning R-peer costs k hashes. */
  private readonly known = new Map<string, { position: number; word: string }>();
  private wallet: P2PWallet | undefined;
  private walletFile: WalletFile | undefined;
  /** Simulated link state (demo and tests): a peer may lose the CIS or the store and keep selling. */
  links = { cis: true, store: true };
  readonly stats = {
    sold: 0,
    coinsEarned: 0,
    bought: 0,
    coinsSpent: 0,
    refused: 0,
    recordedOnline: 0,
    journalled: 0,
  };

  private store: EventStore | undefined;

  constructor(private readonly o: PeerOptions) {
    this.store = o.store;
    this.journal = new Journal(o.journalDir);
    this.cis = new CisClient(o.cisUrl, o.signer, o.clock);
    if (this.journal.certificate) this.adopt(this.journal.certificate);
  }

  get pseudonym(): string | undefined {
    return this.wallet?.pseudonym;
  }

  /** Registers (idempotent: the pseudonym derives from the key), announces the content, loads revocations. */
  async start(): Promise<string> {
    if (!this.links.cis) throw new CisUnreachableError('CIS link is down');
    const { certificate } = await this.cis.register(this.o.identity);
    if (!this.journal.certificate) this.journal.write({ kind: 'certificate', certificate });
    this.adopt(certificate);
    await this.refreshRevocations();
    for (const c of this.content.values()) await this.announce(c);
    return certificate.pseudonym;
  }

  share(c: SharedContent): void {
    this.content.set(c.contentId, { ...c, sha256: createHash('sha256').update(c.bytes).digest('hex') });
  }

  async announce(c: SharedContent): Promise<void> {
    const entry = this.content.get(c.contentId)!;
    await this.cis.announce({
      contentId: c.contentId,
      title: c.title,
      price: c.price,
      sha256: entry.sha256,
      endpoint: this.o.endpoint,
    });
  }

  catalogue(): Offer[] {
    return [...this.content.keys()].map((id) => this.offer(id));
  }

  /** The S-peer's purchase request: whom to pay, how much, for what. */
  offer(contentId: string): Offer {
    const c = this.content.get(contentId);
    if (!c || !this.pseudonym)
      throw new NetPayError('PEER.CONTENT_UNKNOWN', `no content ${contentId} is shared here`, {
        status: 404,
      });
    return { payee: this.pseudonym, contentId, title: c.title, price: c.price, sha256: c.sha256 };
  }

  // ------------------------------------------------------------------ S-peer: being paid

  async sell(contentId: string, raw: unknown): Promise<Sale> {
    const offer = this.offer(contentId);
    let payment: P2PPayment;
    try {
      payment = parseP2PPayment(raw);
    } catch (error) {
      if (error instanceof ProtocolError)
        throw new NetPayError('P2P.MALFORMED', error.message, { status: 400 });
      throw error;
    }
    const s = payment.statement;
    const digest = statementDigest(s);
    const prior = this.journal.accepted.get(digest);
    if (prior) return this.answer(prior.statement, digest, prior.recorded); // a retry: the same answer
    if (this.revoked.has(s.pseudonym))
      this.refuse(P2P.PSEUDONYM_REVOKED, `pseudonym ${s.pseudonym} is revoked`);
    const now = this.o.clock.now();
    const check = checkP2PPayment(payment, {
      cisKeys: this.o.cisKeys,
      payee: offer.payee,
      contentId,
      price: offer.price,
      now,
      ...(this.known.has(s.chainId) ? { known: this.known.get(s.chainId)! } : {}),
    });
    if (!check.ok) this.refuse(check.code, check.message);
    if (await this.revokedInStore(s.pseudonym))
      this.refuse(P2P.PSEUDONYM_REVOKED, `pseudonym ${s.pseudonym} is revoked (notice in the event store)`);
    // Shown here before: caught locally, no store needed.
    const local = this.journal.onChain(s.chainId).find((a) => overlap(a.statement, s));
    if (local) await this.caught({ first: local.statement, second: s }, 'local');
    const recorded = await this.recordOnline(payment, digest);
    this.journal.write({ kind: 'accepted', statement: s, digest, recorded, at: now.toISOString() });
    const end = statementEnd(s);
    if ((this.known.get(s.chainId)?.position ?? 0) < end)
      this.known.set(s.chainId, { position: end, word: s.payword });
    this.stats.sold += 1;
    this.stats.coinsEarned += s.count;
    if (recorded) this.stats.recordedOnline += 1;
    else this.stats.journalled += 1;
    return this.answer(s, digest, recorded);
  }

  /**
   * With the store in reach, a revocation takes effect at once, not at the next notice fetch: the
   * holder's `peer-<pseudonym>` stream is read for a `PseudonymRevoked` whose notice the pinned
   * CIS keys verify (a peer cannot write that stream, and an unsigned notice counts for nothing).
   */
  private async revokedInStore(pseudonym: string): Promise<boolean> {
    const store = this.store;
    if (!store || !this.links.store) return false;
    let events;
    try {
      events = await store.readStream(p2pStreams.peer(pseudonym));
    } catch {
      return false; // the store went away: the notices fetched from the CIS still hold
    }
    for (const r of events) {
      if (r.type !== 'PseudonymRevoked') continue;
      const notice = (r.data as { notice?: unknown }).notice;
      try {
        const n = parseSignedRevocationNotice(notice);
        if (n.kind === 'pseudonym' && n.id === pseudonym && verifyRevocationNotice(n, this.o.cisKeys).ok) {
          this.revoked.add(pseudonym);
          return true;
        }
      } catch {
        // not a notice: ignored
      }
    }
    return false;
  }

  /**
   * With the store in reach: the chain's recorded spends are read; a statement of the holder
   * (`isHolderSpend`, read as the CIS reads it) over one of these positions is a double spend
   * caught at once; else this one is appended at the revision read, so two S-peers racing for
   * one index cannot both win.
   * Without the store: `false` (journalled, uploaded at redemption).
   */
  private async recordOnline(payment: P2PPayment, digest: string): Promise<boolean> {
    const store = this.store;
    if (!store || !this.links.store) return false;
    const s = payment.statement;
    const stream = p2pStreams.chain(s.chainId);
    for (let attempt = 0; attempt < 5; attempt++) {
      let events;
      try {
        events = await store.readStream(stream);
      } catch {
        return false;
      }
      let revision: number | 'no_stream' = 'no_stream';
      for (const r of events) {
        revision = r.revision;
        if (r.type !== 'CoinsSpentAtPeer') continue;
        // The CIS's rule: only the holder's own statements count (its pseudonym, its key).
        const other = spendAtPeerOf(r.data);
        if (!other || !isHolderSpend(other, payment.certificate, payment.touchstone)) continue;
        if (other.digest === digest) return true;
        if (overlap(other.statement, s)) await this.caught({ first: other.statement, second: s }, 'store');
      }
      const event: CoinsSpentAtPeer = {
        type: 'CoinsSpentAtPeer',
        version: 1,
        data: {
          chainId: s.chainId,
          payee: s.payee,
          statement: s,
          digest,
          via: 'online',
          at: this.o.clock.now().toISOString(),
        },
      };
      try {
        await store.appendToStream(
          stream,
          [
            {
              // Not the digest's own id: the payer knows the digest and could publish junk under
              // that id first (any peer writes p2pchain), making this append a silent duplicate.
              id: deterministicEventId('CoinsSpentAtPeer', this.derive('spend-event', digest)),
              type: event.type,
              version: 1,
              data: event.data,
              metadata: { correlationId: digest, causationId: digest, actor: `peer:${s.payee}` },
            },
          ],
          { expectedRevision: revision },
        );
        return true;
      } catch (error) {
        if (error instanceof ConcurrencyError) continue;
        return false; // the store went away: journal it and carry on
      }
    }
    return false;
  }

  /** A double spend: keep the proof, send it to the CIS (or keep it for redemption), refuse. */
  private async caught(proof: DoubleSpendProof, where: 'local' | 'store'): Promise<never> {
    this.revoked.add(proof.second.pseudonym);
    let reported = false;
    if (this.links.cis) {
      try {
        await this.cis.reportDoubleSpend(proof);
        reported = true;
      } catch {
        reported = false;
      }
    }
    this.journal.write({ kind: 'proof', proof, reported });
    this.refuse(
      P2P.DOUBLE_SPEND,
      `positions ${proof.second.fromIndex}..${statementEnd(proof.second)} of ${proof.second.chainId} were shown ${where === 'local' ? 'here' : 'at another S-peer'} already: pseudonym ${proof.second.pseudonym} ${reported ? 'reported and revoked' : 'will be reported at redemption'}`,
    );
  }

  private refuse(code: string, message: string): never {
    this.stats.refused += 1;
    throw new NetPayError(code, message, { status: purchaseStatusOf(code) });
  }

  private answer(s: SignedIndexStatement, digest: string, recorded: boolean): Sale {
    const c = this.content.get(s.contentId)!;
    return {
      receipt: {
        digest,
        payee: s.payee,
        chainId: s.chainId,
        fromIndex: s.fromIndex,
        toIndex: statementEnd(s),
        recorded: recorded ? 'store' : 'journal',
      },
      contentId: s.contentId,
      sha256: c.sha256,
      data: c.bytes.toString('base64'),
    };
  }

  // ------------------------------------------------------------------ R-peer: paying

  /**
   * Buys one chain at the CIS. `operation` names the owner's request (its Idempotency-Key): the
   * CIS key and the wallet nonce derive from it and from this process's run, so a retry of the
   * same request — by the owner after an error, or here after no answer — is the same purchase
   * and the same chain, added once. With a journal folder the wallet and its run are kept there
   * (`WalletFile`), so this holds across restarts too; without one (tests) a restart starts an
   * empty wallet and a new run, and the same request buys afresh: it never re-adds a chain whose
   * words were shown already (that would sign them twice: a double spend).
   */
  buy(coins: number, operation: string = randomUUID()): Promise<{ chainId: string; coins: number }> {
    // One purchase per operation at a time: a concurrent retry joins it.
    const running = this.buying.get(operation);
    if (running) return running;
    const bought = this.buyNow(coins, operation).finally(() => this.buying.delete(operation));
    this.buying.set(operation, bought);
    return bought;
  }

  private async buyNow(coins: number, operation: string): Promise<{ chainId: string; coins: number }> {
    const w = this.requireWallet();
    const bought = await this.buyOnce(coins, `${this.run}\u0000${operation}`);
    if (!verifyTouchstone(bought.touchstone, this.o.cisKeys).ok)
      throw new NetPayError(
        P2P.TOUCHSTONE_INVALID,
        'the CIS answered with a touchstone that does not verify',
        { status: 502 },
      );
    const length = bought.touchstone.length;
    if (!w.holds(bought.chainId)) {
      await w.add({ seed: bought.seed, touchstone: bought.touchstone });
      this.stats.bought += length;
    }
    return { chainId: bought.chainId, coins: length };
  }

  /**
   * One purchase at the CIS whatever is lost on the way: no answer (or a 5xx), or the CIS still
   * busy with the first try (`IDEMPOTENCY.IN_PROGRESS`), is tried again after a wait, with the
   * same key and wallet nonce and the call signed again; the CIS answers the same chain, seed
   * included. Without it a purchase the CIS recorded was paid for and never received.
   */
  private async buyOnce(coins: number, operation: string): ReturnType<CisClient['buy']> {
    const key = `buy-${this.derive('cis-key', operation).slice(0, 32)}`;
    const walletNonce = this.derive('wallet-nonce', operation);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.cis.buy(coins, walletNonce, key);
      } catch (error) {
        const again =
          error instanceof CisUnreachableError ||
          (error instanceof NetPayError && error.code === 'IDEMPOTENCY.IN_PROGRESS');
        if (!again || attempt >= BUY_ATTEMPTS) throw error;
        await new Promise((done) => setTimeout(done, BUY_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  }

  /**
   * A value only this peer can compute from `input`: the SHA-256 of its Ed25519 signature over
   * it (Ed25519 signs deterministically), so no other secret needs keeping.
   */
  private derive(purpose: string, input: string): string {
    const message = new TextEncoder().encode(`netpay/peer/${purpose}/v1\u0000${input}`);
    return createHash('sha256').update(this.o.signer.sign(message)).digest('hex');
  }

  search(q: string): Promise<IndexEntry[]> {
    return this.cis.search(q);
  }

  /**
   * Pays an S-peer and downloads: asks for its offer, checks its price (below), pays, retries the
   * same payment on a lost answer. The price an endpoint asks is believed only up to `maxPrice`
   * (the owner's bound) or, without one, up to what the CIS index lists for that payee and content
   * (the same content hash too): an endpoint cannot ask more than it announced.
   */
  async fetch(
    endpoint: string,
    contentId: string,
    maxPrice?: number,
  ): Promise<{ sale: Sale; payment: P2PPayment; bytes: Buffer }> {
    const w = this.requireWallet();
    const offer = (await peerRequest(
      `${endpoint}/content/${encodeURIComponent(contentId)}/offer`,
      'GET',
      undefined,
      PASSED_ON.offer,
    )) as unknown as Offer;
    await this.checkOffer(offer, contentId, maxPrice);
    const payment = await w.pay(offer.payee, contentId, offer.price, this.o.clock.now());
    const sale = await this.send(endpoint, contentId, payment, PASSED_ON.payment);
    const bytes = Buffer.from(sale.data, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== offer.sha256)
      throw new NetPayError('PEER.CONTENT_CORRUPT', 'the content does not match the hash offered', {
        status: 502,
      });
    this.stats.coinsSpent += offer.price;
    return { sale, payment, bytes };
  }

  private async checkOffer(offer: Offer, contentId: string, maxPrice: number | undefined): Promise<void> {
    const refused = (code: string, message: string, status: number): never => {
      throw new NetPayError(code, message, { status, details: { offered: offer.price } });
    };
    const wellFormed =
      typeof offer === 'object' &&
      offer !== null &&
      offer.contentId === contentId &&
      typeof offer.payee === 'string' &&
      PSEUDONYM_PATTERN.test(offer.payee) &&
      typeof offer.sha256 === 'string' &&
      /^[0-9a-f]{64}$/.test(offer.sha256) &&
      Number.isSafeInteger(offer.price) &&
      offer.price >= 1;
    if (!wellFormed)
      refused('PEER.OFFER_UNLISTED', `the answer is not an offer for ${contentId} at a price in coins`, 502);
    // Before anything is signed: a statement to oneself would be refused, its coins shown for nothing.
    if (offer.payee === this.pseudonym)
      refused(P2P.SELF_PAYMENT, `the offer is your own (${offer.payee}): a peer does not pay itself`, 422);
    if (maxPrice !== undefined) {
      if (offer.price > maxPrice)
        refused('PEER.PRICE_ABOVE_MAX', `the offer asks ${offer.price} coins, above your ${maxPrice}`, 409);
      return;
    }
    let listed: IndexEntry[];
    try {
      if (!this.links.cis) throw new CisUnreachableError('CIS link is down');
      listed = await this.cis.search(contentId);
    } catch (error) {
      if (!(error instanceof CisUnreachableError)) throw error;
      return refused(
        'PEER.PRICE_UNKNOWN',
        'the CIS index cannot be read to check the price asked: retry, or pass maxPrice',
        503,
      );
    }
    const entry = listed.find((e) => e.pseudonym === offer.payee && e.contentId === contentId);
    if (entry === undefined || entry.sha256 !== offer.sha256 || offer.price > entry.price) {
      refused(
        'PEER.OFFER_UNLISTED',
        entry === undefined
          ? `${offer.payee} does not list ${contentId} in the CIS index: pass maxPrice to pay it anyway`
          : `the offer (${offer.price} coins, content ${offer.sha256.slice(0, 12)}…) is not what ${offer.payee} listed (${entry.price} coins, ${entry.sha256.slice(0, 12)}…)`,
        502,
      );
    }
  }

  /** Prepares (and counts as spent) a payment to `payee` without sending it (tests, the demo's cheater). */
  prepare(payee: string, contentId: string, price: number): Promise<P2PPayment> {
    return this.requireWallet().pay(payee, contentId, price, this.o.clock.now());
  }

  /**
   * Sends a prepared payment (also what a cheating R-peer uses to show one index twice): the
   * other peer's refusals in `passedOn` reach the owner (see `PASSED_ON`), and a payment whose
   * answer was lost is sent again, the very same statement, which an S-peer answers as before.
   */
  async send(
    endpoint: string,
    contentId: string,
    payment: P2PPayment,
    passedOn: readonly string[] = PASSED_ON.send,
  ): Promise<Sale> {
    const url = `${endpoint}/content/${encodeURIComponent(contentId)}/purchase`;
    for (let attempt = 1; ; attempt++) {
      try {
        return saleOf(await peerRequest(url, 'POST', { payment }, passedOn), payment, url);
      } catch (error) {
        const lost = error instanceof NetPayError && error.code === 'PEER.UNREACHABLE';
        if (!lost || attempt >= SEND_ATTEMPTS) throw error;
        await new Promise((done) => setTimeout(done, SEND_RETRY_MS * attempt));
      }
    }
  }

  get walletRemaining(): number {
    return this.wallet?.remainingCoins() ?? 0;
  }

  // ------------------------------------------------------------------ night and links

  /** Uploads what it accepted and has not been paid for, with any proofs it holds. */
  async redeem(): Promise<RedemptionSummary> {
    if (!this.links.cis) throw new CisUnreachableError('CIS link is down');
    const statements = this.journal.unredeemed();
    const proofs = this.journal.unreportedProofs();
    const summary = await this.cis.redeem(statements, proofs);
    this.journal.write({
      kind: 'redeemed',
      redemptionId: summary.redemptionId,
      digests: [...summary.items.map((i) => i.digest), ...summary.refused.map((r) => r.digest)],
      proofs: proofs.length,
    });
    return summary;
  }

  async refreshRevocations(): Promise<number> {
    const notices = await this.cis.revocations();
    for (const n of notices)
      if (n.kind === 'pseudonym' && verifyRevocationNotice(n, this.o.cisKeys).ok) this.revoked.add(n.id);
    return this.revoked.size;
  }

  /**
   * Tells the CIS this peer is online, and announces again any of its content the index no longer
   * lists (withdrawn as offline while the link was down): without it, buyers who check prices
   * against the index could not pay this peer until it restarted.
   */
  async heartbeat(): Promise<void> {
    if (!this.links.cis || !this.pseudonym) return;
    const { listed } = await this.cis.heartbeat();
    if (listed === undefined) return;
    const missing = [...this.content.values()].filter((c) => !listed.includes(c.contentId));
    // Each on its own: one refused announcement does not hold back the others, nor the heartbeat.
    await Promise.allSettled(missing.map((c) => this.announce(c)));
  }

  /** The store came (back): spends are recorded at once again. */
  attachStore(store: EventStore): void {
    this.store = store;
  }

  get hasStore(): boolean {
    return this.store !== undefined && this.links.store;
  }

  isRevoked(pseudonym: string): boolean {
    return this.revoked.has(pseudonym);
  }

  get certificate(): PseudonymCertificate | undefined {
    return this.wallet?.certificate;
  }

  private adopt(certificate: PseudonymCertificate): void {
    this.cis.pseudonym = certificate.pseudonym;
    if (this.wallet) return;
    if (this.o.journalDir === undefined) {
      this.wallet = new P2PWallet(this.o.signer, certificate);
      return;
    }
    // The wallet survives a restart: its chains, the positions it has shown, and its run.
    const file = new WalletFile(this.o.journalDir, certificate.pseudonym);
    file.lock();
    this.walletFile = file;
    const kept = file.load();
    if (kept) this.run = kept.run;
    this.wallet = new P2PWallet(this.o.signer, certificate, {
      ...(kept ? { state: kept.state } : {}),
      keep: (state) => file.save({ run: this.run, state }),
    });
    // The run is kept before any purchase: one retried after a crash in the middle is the same one.
    if (!kept) file.save({ run: this.run, state: this.wallet.wallet.state() });
  }

  /** The process stops: its wallet may be taken by the next one. */
  close(): void {
    this.walletFile?.unlock();
  }

  private requireWallet(): P2PWallet {
    if (!this.wallet)
      throw new NetPayError('PEER.NOT_REGISTERED', 'the peer has not registered at the CIS yet', {
        status: 503,
      });
    return this.wallet;
  }
}

function overlap(a: SignedIndexStatement, b: SignedIndexStatement): boolean {
  return (
    a.chainId === b.chainId &&
    Math.max(a.fromIndex, b.fromIndex) <= Math.min(statementEnd(a), statementEnd(b))
  );
}
