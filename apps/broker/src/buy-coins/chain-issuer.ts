import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { absentChain, type ChainState } from '#chain';
import type { EventStore } from '#event-store';
import { type ChainIssued, sealChainEvent, streams } from '#events';
import { CLOCK, type Clock, NetPayError } from '#platform';
import { type ChainAlgorithm, paywordAt, signTouchstone, type Touchstone } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { chainAdmission, evolveChain } from '../shared/chain-stream.js';
import { contentEventId, runCommand } from '../shared/command.js';
import { brokerMetadata } from '../shared/metadata.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { WalletSeeds } from './wallet-seeds.js';

export interface IssueChain {
  readonly chainId: string;
  readonly wallet: 'client' | 'server';
  readonly alg: ChainAlgorithm;
  readonly length: number;
  readonly coinValue: number;
  readonly currency: string;
  readonly expiresInDays: number;
  readonly vendorRestriction?: readonly string[];
  /** Broker-private: the owner of a server-side wallet (kept with its sealed seed). */
  readonly customerId: string;
  readonly purchaseId: string;
  /** Client-side: the wallet's nonce mixed into the seed. */
  readonly walletNonce?: string;
  /**
   * Reconciliation, which does not know the customer's wallet nonce: a chain of this id the
   * broker already issued (the broker stopped between `ChainIssued` and `CoinsPurchased`) is
   * taken as issued, as it is; its seed is not known here, and the customer re-issues it.
   */
  readonly adoptIssued?: true;
}

export interface IssuedChain {
  readonly chainId: string;
  readonly wallet: 'client' | 'server';
  readonly touchstone: Touchstone;
  /** W[n+1] of a client-side chain (absent for server-side wallets: the broker keeps those). */
  readonly seed?: string;
}

const DAY_MS = 86_400_000;

/**
 * A chain's validity, in whole UTC days: from the start of the day it is issued to the end of
 * the day `expiresInDays` later (at least the lifetime asked, at most a day more). Touchstones
 * (and `ChainIssued`, which vendors read) then carry no issuing instant: the chains of one
 * purchase look like every other chain issued that day with the same lifetime, so a vendor
 * cannot link them to one buyer by their timestamps.
 */
export function chainValidity(now: Date, expiresInDays: number): { issuedAt: string; expiresAt: string } {
  const day = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const lastDay = Math.floor((now.getTime() + expiresInDays * DAY_MS) / DAY_MS) * DAY_MS;
  return {
    issuedAt: new Date(day).toISOString(),
    expiresAt: new Date(lastDay + DAY_MS).toISOString(),
  };
}

/**
 * Issues one chain, idempotently: the same chain id always yields the same seed (client-side:
 * derived; server-side: sealed and stored before the chain exists) and, once `ChainIssued` is
 * in `chain-<id>` (appended with `no_stream`), the stored touchstone is the answer. The append
 * is tried before any read (the chain id is new unless this is a retry); its event id is derived
 * from the event itself, so another attempt's `ChainIssued` is a conflict, never a duplicate.
 */
@Injectable()
export class ChainIssuer {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    readonly keys: BrokerKeyRing,
    private readonly seeds: WalletSeeds,
  ) {}

  async issue(command: IssueChain): Promise<IssuedChain> {
    const { chainId, wallet, alg, length } = command;
    const seed =
      wallet === 'client'
        ? this.seeds.clientSeed(chainId, command.walletNonce)
        : await this.seeds.storeServerSeed(chainId, command.customerId, command.purchaseId, () =>
            randomBytes(32).toString('hex'),
          );
    const root = paywordAt(seed, chainId, alg, length, 0);
    const touchstone = this.sign(command, root);
    const issued: ChainIssued = {
      type: 'ChainIssued',
      version: 1,
      data: { chainId, touchstone, wallet, at: touchstone.issuedAt },
    };
    const stream = streams.chain(chainId);
    const { result } = await runCommand<ChainState, ChainIssued, Touchstone>(this.store, {
      stream,
      admit: chainAdmission(this.keys, stream),
      seal: (event, revision) => sealChainEvent(this.keys.signer, stream, revision, event),
      initial: absentChain,
      evolve: evolveChain,
      decide: (state) => {
        if (state.status === 'absent') return { events: [issued], result: touchstone };
        // A retry (or a concurrent twin) issued it already: answer with what was stored.
        if (state.touchstone.root !== root || state.wallet !== wallet) {
          if (command.adoptIssued && state.wallet === wallet) return { events: [], result: state.touchstone };
          throw new NetPayError('CHAIN.ALREADY_ISSUED', `chain ${chainId} exists with other material`, {
            status: 409,
          });
        }
        return { events: [], result: state.touchstone };
      },
      metadata: brokerMetadata(chainId),
      // A new chain id: append at once. A retry meets the stored chain (as a conflict, or as the
      // same event when it signed the same touchstone on the same day) and answers with it.
      assumeNew: true,
      eventId: (event) => contentEventId('ChainIssued', chainId, event.data),
    });
    // The seed answers only for the chain it made (an adopted chain's is not known here).
    const known = wallet === 'client' && result.root === root;
    return { chainId, wallet, touchstone: result, ...(known ? { seed } : {}) };
  }

  private sign(command: IssueChain, root: string): Touchstone {
    const { issuedAt, expiresAt } = chainValidity(this.clock.now(), command.expiresInDays);
    return signTouchstone(
      {
        chainId: command.chainId,
        alg: command.alg,
        root,
        length: command.length,
        coinValue: command.coinValue,
        currency: command.currency,
        issuedAt,
        expiresAt,
        ...(command.vendorRestriction ? { vendorRestriction: command.vendorRestriction } : {}),
        brokerKeyId: this.keys.currentKeyId,
      },
      this.keys.signer,
    );
  }
}
