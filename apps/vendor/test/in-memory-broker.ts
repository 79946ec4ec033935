import { randomUUID } from 'node:crypto';
import { decideCheckout, decideIssue, decideRevoke, decideWithdraw, foldChain } from '#chain';
import type { WalletCheckoutReply, WalletCheckoutRequest } from '#contracts';
import type { EventStore } from '#event-store';
import {
  decode,
  deterministicEventId,
  streams,
  toNewEvent,
  type ChainEvent,
  type RevocationReason,
  sealChainEvent,
} from '#events';
import { NetPayError } from '#platform';
import {
  signVendorKeyCertificate,
  signWalletGrant,
  verifyCheckoutRequest,
  type VendorKeyCertificate,
  createSigner,
  generateChain,
  generateSigningKey,
  publicKeyRecord,
  signTouchstone,
  type Chain,
  type PublicKeyRecord,
  type Signer,
  type Touchstone,
} from '#protocol';
import type { BrokerClient } from '../src/broker/broker-client.js';

export interface IssueOptions {
  readonly length?: number;
  readonly coinValue?: number;
  readonly currency?: string;
  readonly wallet?: 'client' | 'server';
  readonly issuedAt?: string;
  readonly expiresAt?: string;
  readonly vendorRestriction?: readonly string[];
  /** Sign the touchstone with this key instead of the broker's (a forgery). */
  readonly signer?: Signer;
}

export interface IssuedChain {
  readonly chain: Chain;
  readonly touchstone: Touchstone;
}

const META = { correlationId: 'test', causationId: 'test', actor: 'broker' };

/**
 * The broker's side as far as vendors see it, in one process: issues chains
 * (appending `ChainIssued` like the broker does), answers touchstones and
 * keys, checks server-side wallets out. For tests of the vendor only.
 */
export class InMemoryBroker implements BrokerClient {
  readonly signer: Signer = createSigner(generateSigningKey(`broker_${randomUUID().slice(0, 8)}`));
  private readonly chains = new Map<string, IssuedChain>();
  private readonly vendors = new Map<string, PublicKeyRecord[]>();
  private readonly tokens = new Map<string, { chainIds: readonly string[]; vendorId: string }>();
  /** Calls per method, so tests can see what was asked. */
  readonly calls = { touchstone: 0, brokerKeys: 0, vendorKeys: 0, checkoutWallet: 0 };

  constructor(
    private readonly store: EventStore,
    /** The broker's clock (wallet grants are valid for a minute from it). */
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** What a vendor pins as BROKER_PUBLIC_KEYS. */
  publicKeys(): PublicKeyRecord[] {
    return [publicKeyRecord(this.signer, 'broker')];
  }

  async issue(options: IssueOptions = {}): Promise<IssuedChain> {
    const chainId = `c${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const length = options.length ?? 50;
    const chain = generateChain({ chainId, length, alg: 'sha256' });
    const signer = options.signer ?? this.signer;
    const touchstone = signTouchstone(
      {
        chainId,
        alg: 'sha256',
        root: chain.root,
        length,
        coinValue: options.coinValue ?? 5,
        currency: options.currency ?? 'NZD',
        issuedAt: options.issuedAt ?? '2026-01-01T00:00:00.000Z',
        expiresAt: options.expiresAt ?? '2027-01-01T00:00:00.000Z',
        ...(options.vendorRestriction ? { vendorRestriction: options.vendorRestriction } : {}),
        brokerKeyId: signer.keyId,
      },
      signer,
    );
    const decision = decideIssue(foldChain([]), {
      touchstone,
      wallet: options.wallet ?? 'client',
      at: touchstone.issuedAt,
    });
    if (!decision.ok) throw new Error(decision.message);
    await this.append(chainId, decision.events[0]!, 'no_stream');
    const issued = { chain, touchstone };
    this.chains.set(chainId, issued);
    return issued;
  }

  registerVendor(vendorId: string, signer: Signer): void {
    this.vendors.set(vendorId, [publicKeyRecord(signer, vendorId)]);
  }

  /** A token the customer gives `vendorId` to debit the server-side wallet made of `chainIds`. */
  checkoutToken(chainIds: string | readonly string[], vendorId: string): string {
    const token = `ct_${randomUUID()}`;
    this.tokens.set(token, { chainIds: typeof chainIds === 'string' ? [chainIds] : chainIds, vendorId });
    return token;
  }

  async revoke(chainId: string, reason: RevocationReason): Promise<void> {
    const { state, revision } = await this.read(chainId);
    const decision = decideRevoke(state, { reason, at: '2026-06-01T00:00:00.000Z' });
    if (!decision.ok) throw new Error(decision.message);
    await this.append(chainId, decision.events[0]!, revision);
  }

  async touchstone(chainId: string): Promise<Touchstone> {
    this.calls.touchstone++;
    const issued = this.chains.get(chainId);
    if (!issued) throw new NetPayError('CHAIN.NOT_FOUND', `no chain ${chainId}`, { status: 404 });
    return issued.touchstone;
  }

  async brokerKeys(): Promise<readonly PublicKeyRecord[]> {
    this.calls.brokerKeys++;
    return [publicKeyRecord(this.signer, 'broker')];
  }

  async vendorKeys(vendorId: string): Promise<readonly PublicKeyRecord[]> {
    this.calls.vendorKeys++;
    return this.vendors.get(vendorId) ?? [];
  }

  /** Certificates of a registered vendor's keys (valid for years: the tests' clocks differ). */
  async vendorCertificates(vendorId: string): Promise<readonly VendorKeyCertificate[]> {
    this.calls.vendorKeys++;
    return (this.vendors.get(vendorId) ?? []).map((key) =>
      signVendorKeyCertificate(
        {
          vendorId,
          keyId: key.keyId,
          publicKey: key.publicKey,
          notBefore: '2020-01-01T00:00:00.000Z',
          notAfter: '2100-01-01T00:00:00.000Z',
          brokerKeyId: this.signer.keyId,
        },
        this.signer,
      ),
    );
  }

  /** Like the broker: the first chain of the wallet with coins left that nobody else holds. */
  /** When set, every checkout is refused with it (as the broker refuses with codes of its own). */
  checkoutRefusal: NetPayError | undefined;

  async checkoutWallet(request: WalletCheckoutRequest): Promise<WalletCheckoutReply> {
    this.calls.checkoutWallet++;
    if (this.checkoutRefusal) throw this.checkoutRefusal;
    // Like the broker: signed by a registered key of the vendor it names.
    if (!verifyCheckoutRequest(request, this.vendors.get(request.vendorId) ?? []).ok) {
      throw new NetPayError('CHECKOUT.SIGNATURE_INVALID', 'not signed by the vendor', { status: 401 });
    }
    const bound = this.tokens.get(request.checkoutToken);
    if (!bound || bound.vendorId !== request.vendorId) {
      throw new NetPayError('WALLET.TOKEN_INVALID', 'unknown checkout token', { status: 403 });
    }
    let heldElsewhere: { chainId: string; holder: string } | undefined;
    for (const chainId of bound.chainIds) {
      const issued = this.chains.get(chainId)!;
      const { state, revision } = await this.read(chainId);
      if (state.status !== 'open' || state.index > state.touchstone.length) continue;
      // Like the broker: a chain with fewer coins left than the purchase needs is passed over.
      if (state.touchstone.length - state.index + 1 < (request.minCoins ?? 1)) continue;
      // Like the broker: only coins the vendor accepts.
      const t = state.touchstone;
      if (
        request.coinValue !== undefined &&
        (t.coinValue !== request.coinValue || t.currency !== request.currency)
      )
        continue;
      if (state.holder !== undefined && state.holder !== request.vendorId) {
        heldElsewhere ??= { chainId, holder: state.holder };
        continue;
      }
      const at = '2026-06-01T00:00:00.000Z';
      const sliceEnd = state.index + request.coins - 1;
      const decision = decideCheckout(state, { vendorId: request.vendorId, sliceEnd, at });
      if (!decision.ok) throw new NetPayError(decision.code, decision.message, { status: 409 });
      const event = decision.events[0]!;
      await this.append(chainId, event, revision);
      const paywords: string[] = [];
      for (let i = event.data.index; i <= event.data.sliceEnd; i++) paywords.push(issued.chain.payword(i));
      const { index, lastPayword } = event.data;
      return { chainId, touchstone: issued.touchstone, index, lastPayword, paywords };
    }
    if (heldElsewhere) {
      const notAfter = new Date(this.now().getTime() + 60_000).toISOString();
      const walletGrant = signWalletGrant(
        {
          chainId: heldElsewhere.chainId,
          vendorId: request.vendorId,
          issuedAt: this.now().toISOString(),
          notAfter,
          brokerKeyId: this.signer.keyId,
        },
        this.signer,
      );
      throw new NetPayError('CHECKOUT.HELD_ELSEWHERE', `held by ${heldElsewhere.holder}`, {
        status: 409,
        details: { ...heldElsewhere, walletGrant },
      });
    }
    throw new NetPayError('CHECKOUT.NO_COINS', 'no coins left in the wallet', { status: 409 });
  }

  /** Like the broker withdrawing `vendorId` from the customer's wallet: one chain of it, now. */
  async withdraw(chainId: string, vendorId: string): Promise<void> {
    const { state, revision } = await this.read(chainId);
    const decision = decideWithdraw(state, { vendorId, at: this.now().toISOString() });
    if (!decision.ok) throw new NetPayError(decision.code, decision.message);
    for (const event of decision.events) await this.append(chainId, event, revision);
  }

  private async read(chainId: string) {
    const recorded = await this.store.readStream(streams.chain(chainId));
    const history = recorded.map((r) => ({
      event: decode(r) as unknown as ChainEvent,
      revision: r.revision,
    }));
    return { state: foldChain(history), revision: recorded.length - 1 };
  }

  private async append(chainId: string, event: ChainEvent, expected: number | 'no_stream'): Promise<void> {
    const stream = streams.chain(chainId);
    const id = deterministicEventId(stream, String(expected), event.type);
    // As the broker does: its chain events carry its signature for the revision they take.
    const sealed = sealChainEvent(this.signer, stream, expected === 'no_stream' ? 0 : expected + 1, event);
    await this.store.appendToStream(stream, [toNewEvent(sealed, META, id)], { expectedRevision: expected });
  }
}
