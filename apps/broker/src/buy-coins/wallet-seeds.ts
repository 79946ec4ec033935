import { Inject, Injectable } from '@nestjs/common';
import { ConcurrencyError, type EventStore } from '#event-store';
import { assertId, type ServerWalletSeedStored, toNewEvent } from '#events';
import { CLOCK, type Clock, NetPayError } from '#platform';
import { BrokerSecrets } from '../shared/broker-secrets.js';
import { contentEventId, readDecoded } from '../shared/command.js';
import { brokerMetadata } from '../shared/metadata.js';
import { SeedCipher } from '../shared/seed-cipher.js';
import { EVENT_STORE } from '../shared/tokens.js';

/** The broker-private stream holding a server-side wallet's sealed seed. */
export function walletSeedStream(chainId: string): string {
  return `walletseed-${assertId(chainId)}`;
}

export interface ServerWalletRecord {
  readonly seed: string;
  readonly customerId: string;
  readonly purchaseId: string;
}

/**
 * Seeds W[n+1]. Client-side: derived from BROKER_SECRET and the chain id, so a retried purchase
 * hands out the same chain without the broker storing any per-chain secret. Server-side: random,
 * sealed with WALLET_ENCRYPTION_KEY (AES-256-GCM) in `walletseed-<chainId>`, never in the chain
 * stream; the first writer wins and every retry (and a concurrent twin) reuses its seed.
 */
@Injectable()
export class WalletSeeds {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly secrets: BrokerSecrets,
    private readonly cipher: SeedCipher,
  ) {}

  /**
   * With the wallet's nonce (never stored), the seed cannot be recomputed from the broker's data
   * alone; without one, BROKER_SECRET and the chain id determine it.
   */
  clientSeed(chainId: string, walletNonce = ''): string {
    return this.secrets.mac('client-seed/v1', chainId, walletNonce).toString('hex');
  }

  /**
   * Seals and stores a new seed, or answers the one stored first. The append is tried before any
   * read (the chain id is new unless this is a retry); each attempt seals with its own nonce, so
   * its event id (derived from the event) differs from any stored one, and a seed already there
   * makes it a conflict, after which the stored seed is read and answered.
   */
  async storeServerSeed(
    chainId: string,
    customerId: string,
    purchaseId: string,
    draw: () => string,
  ): Promise<string> {
    const seed = draw();
    const event: ServerWalletSeedStored = {
      type: 'ServerWalletSeedStored',
      version: 1,
      data: {
        chainId,
        customerId,
        purchaseId,
        sealedSeed: this.cipher.encrypt(chainId, seed),
        at: this.clock.now().toISOString(),
      },
    };
    try {
      const id = contentEventId('ServerWalletSeedStored', chainId, event.data);
      await this.store.appendToStream(
        walletSeedStream(chainId),
        [toNewEvent(event, brokerMetadata(purchaseId), id)],
        { expectedRevision: 'no_stream' },
      );
      return seed;
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      const winner = await this.serverWallet(chainId);
      if (!winner) throw error;
      return winner.seed;
    }
  }

  /** The server-side wallet's seed and owner, or undefined when the chain has none. */
  async serverWallet(chainId: string): Promise<ServerWalletRecord | undefined> {
    const events = await readDecoded(this.store, walletSeedStream(chainId));
    const stored = events.find((e) => e.type === 'ServerWalletSeedStored');
    if (!stored || stored.type !== 'ServerWalletSeedStored') return undefined;
    const { sealedSeed, customerId, purchaseId } = stored.data;
    try {
      return { seed: this.cipher.decrypt(chainId, sealedSeed), customerId, purchaseId };
    } catch (error) {
      throw new NetPayError('WALLET.SEED_UNREADABLE', 'a server-side wallet seed cannot be decrypted', {
        status: 500,
        cause: error,
      });
    }
  }
}
