// Realistic chain histories for the redemption tests: chains generated and signed with the
// protocol library, events decided by the chain aggregate and appended through the store port,
// vendors registered like the broker registers them.
import type { EventStore } from '#event-store';
import {
  decideCheckout,
  decideHandOff,
  decideIssue,
  decideSpend,
  evolve,
  decideClaim,
  absentChain,
  type ChainState,
} from '#chain';
import {
  deterministicEventId,
  sealChainEvent,
  signClaim,
  streams,
  toNewEvent,
  type ChainEvent,
  type NetPayEvent,
} from '#events';
import {
  createSigner,
  generateChain,
  publicKeyRecord,
  signHandOffCertificate,
  signingKeyFromPrivate,
  signTouchstone,
  signVendorKeyCertificate,
  signWalletGrant,
  type Chain,
  type VendorKeyCertificate,
  type PublicKeyRecord,
  type Signer,
  type WalletGrant,
} from '#protocol';

interface ChainModel {
  readonly chain: Chain;
  state: ChainState;
  revision: number;
  /** The broker key that signed the touchstone signs the chain's broker events too. */
  readonly signer: Signer;
}

export interface IssueOptions {
  readonly length?: number;
  readonly coinValue?: number;
  readonly currency?: string;
  readonly wallet?: 'client' | 'server';
  /** Sign with a key the redemption worker does not trust. */
  readonly signer?: Signer;
  /** The chain's seed (64 hex): the same seed issues the same events, so a retry is the same write. */
  readonly seed?: string;
}

let counter = 0;
const seedOf = (n: number): string => n.toString(16).padStart(2, '0').repeat(32).slice(0, 64);

export class ChainWorld {
  readonly broker = createSigner(signingKeyFromPrivate('broker_1', '11'.repeat(32)));
  readonly brokerKeys: PublicKeyRecord[] = [publicKeyRecord(this.broker, 'broker')];
  private readonly vendorSigners = new Map<string, Signer>();
  private readonly chains = new Map<string, ChainModel>();
  /** Spend times default to this instant, moved with `at()`. */
  private now = '2026-03-10T01:00:00.000Z';

  constructor(readonly store: EventStore) {}

  at(iso: string): this {
    this.now = iso;
    return this;
  }

  vendorSigner(vendorId: string): Signer {
    let signer = this.vendorSigners.get(vendorId);
    if (signer === undefined) {
      const n = 16 + this.vendorSigners.size;
      signer = createSigner(signingKeyFromPrivate(`${vendorId}_k1`, seedOf(n)));
      this.vendorSigners.set(vendorId, signer);
    }
    return signer;
  }

  /** The broker's certificate of the vendor's key (valid all year), as hand-offs and claims carry it. */
  vendorCertificate(vendorId: string): VendorKeyCertificate {
    const signer = this.vendorSigner(vendorId);
    return signVendorKeyCertificate(
      {
        vendorId,
        keyId: signer.keyId,
        publicKey: signer.publicKey,
        notBefore: '2026-01-01T00:00:00.000Z',
        notAfter: '2027-01-01T00:00:00.000Z',
        brokerKeyId: this.broker.keyId,
      },
      this.broker,
    );
  }

  async registerVendor(vendorId: string, bankAccount = `acct_${vendorId}`): Promise<void> {
    const key = publicKeyRecord(this.vendorSigner(vendorId), vendorId);
    const event: NetPayEvent = {
      type: 'VendorRegistered',
      version: 1,
      data: { vendorId, name: `Vendor ${vendorId}`, key, bankAccount, at: '2026-01-01T00:00:00.000Z' },
    };
    await this.store.appendToStream(streams.vendor(vendorId), [
      toNewEvent(event, this.meta('operator'), deterministicEventId('vendor', vendorId)),
    ]);
  }

  async issue(chainId: string, options: IssueOptions = {}): Promise<Chain> {
    const length = options.length ?? 100;
    const chain = generateChain({
      chainId,
      length,
      alg: 'sha256',
      seed: options.seed ?? seedOf(++counter + 100),
    });
    const signer = options.signer ?? this.broker;
    const touchstone = signTouchstone(
      {
        chainId,
        alg: 'sha256',
        root: chain.root,
        length,
        coinValue: options.coinValue ?? 5,
        currency: options.currency ?? 'NZD',
        issuedAt: '2026-01-01T00:00:00.000Z',
        expiresAt: '2027-01-01T00:00:00.000Z',
        brokerKeyId: signer.keyId,
      },
      signer,
    );
    const model: ChainModel = { chain, state: absentChain, revision: -1, signer };
    this.chains.set(chainId, model);
    const decision = decideIssue(model.state, {
      touchstone,
      wallet: options.wallet ?? 'client',
      at: '2026-01-01T00:00:00.000Z',
    });
    if (!decision.ok) throw new Error(decision.message);
    await this.append(model, decision.events, 'broker');
    return chain;
  }

  chain(chainId: string): Chain {
    return this.model(chainId).chain;
  }

  /** The holder `vendorId` takes `count` coins at the chain's index. */
  async spend(
    chainId: string,
    vendorId: string,
    count: number,
  ): Promise<{ fromIndex: number; toIndex: number }> {
    const model = this.model(chainId);
    const index = model.state.status === 'absent' ? 1 : model.state.index;
    const proof = model.chain.spendProof(index, count);
    const decision = decideSpend(model.state, {
      vendorId,
      proof,
      count,
      receiptId: `r_${chainId}_${index}`,
      at: this.now,
    });
    if (!decision.ok) throw new Error(`${decision.code}: ${decision.message}`);
    await this.append(model, decision.events, `vendor:${vendorId}`);
    return { fromIndex: index, toIndex: index + count - 1 };
  }

  /** `from` hands the chain to `to` with a certificate it signs. */
  async handOff(chainId: string, from: string, to: string): Promise<void> {
    const model = this.model(chainId);
    if (model.state.status !== 'open') throw new Error('chain not open');
    const signer = this.vendorSigner(from);
    const certificate = signHandOffCertificate(
      {
        chainId,
        fromVendor: from,
        toVendor: to,
        index: model.state.index,
        lastPayword: model.state.lastPayword,
        at: this.now,
        vendorKeyId: signer.keyId,
      },
      signer,
    );
    const decision = decideHandOff(model.state, {
      certificate,
      holderCertificate: this.vendorCertificate(from),
      at: this.now,
    });
    if (!decision.ok) throw new Error(decision.message);
    await this.append(model, decision.events, `vendor:${from}`);
  }

  /** A server-side wallet checked out by `vendorId` up to `sliceEnd` (the broker appends it). */
  async checkout(chainId: string, vendorId: string, sliceEnd: number): Promise<void> {
    const model = this.model(chainId);
    const decision = decideCheckout(model.state, { vendorId, sliceEnd, at: this.now });
    if (!decision.ok) throw new Error(decision.message);
    await this.append(model, decision.events, 'broker');
  }

  /**
   * The broker's wallet grant for `vendorId` to take `chainId` over, issued at `issuedAt` (default:
   * now), valid 60 s, as the broker answers a checkout of a wallet another vendor holds.
   */
  walletGrant(chainId: string, vendorId: string, issuedAt = this.now): WalletGrant {
    return signWalletGrant(
      {
        chainId,
        vendorId,
        issuedAt,
        notAfter: new Date(Date.parse(issuedAt) + 60_000).toISOString(),
        brokerKeyId: this.broker.keyId,
      },
      this.broker,
    );
  }

  /** `to` claims the chain from a silent `from`; with the broker's grant it was given for a server-side wallet. */
  async claim(chainId: string, from: string, to: string, walletGrant?: WalletGrant): Promise<void> {
    const model = this.model(chainId);
    const decision = decideClaim(model.state, {
      fromVendor: from,
      toVendor: to,
      at: this.now,
      ...(walletGrant ? { walletGrant } : {}),
    });
    if (!decision.ok) throw new Error(decision.message);
    const stream = streams.chain(chainId);
    const signed = signClaim(
      this.vendorSigner(to),
      this.vendorCertificate(to),
      stream,
      model.revision + 1,
      decision.events[0]!,
    );
    await this.append(model, [signed], `vendor:${to}`);
  }

  /** Appends a chain event as is, bypassing the aggregate (to plant what a store should never hold). */
  async appendRaw(chainId: string, event: ChainEvent): Promise<void> {
    await this.append(this.model(chainId), [event], 'test');
  }

  private model(chainId: string): ChainModel {
    const model = this.chains.get(chainId);
    if (model === undefined) throw new Error(`no chain ${chainId} in this world`);
    return model;
  }

  private async append(model: ChainModel, events: readonly ChainEvent[], actor: string): Promise<void> {
    if (events.length === 0) return;
    const stream = streams.chain(model.chain.chainId);
    // The broker's chain events carry its signature for the revision they take, as the broker's do.
    const newEvents = events.map((e, i) =>
      toNewEvent(
        sealChainEvent(model.signer, stream, model.revision + 1 + i, e),
        this.meta(actor),
        deterministicEventId(stream, model.revision + 1 + i),
      ),
    );
    await this.store.appendToStream(stream, newEvents, {
      expectedRevision: model.revision < 0 ? 'no_stream' : model.revision,
    });
    for (const e of events) {
      model.revision += 1;
      model.state = evolve(model.state, e, model.revision);
    }
  }

  private meta(actor: string): { correlationId: string; causationId: string; actor: string } {
    return { correlationId: 'test', causationId: 'test', actor };
  }
}
