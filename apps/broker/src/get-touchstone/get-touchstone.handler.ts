import { Inject, Injectable } from '@nestjs/common';
import { CHAIN } from '#chain';
import type { TouchstoneReply } from '#contracts';
import type { EventStore } from '#event-store';
import { decode, streams } from '#events';
import type { Touchstone } from '#protocol';
import { BrokerKeyRing } from '../keys/broker-key-ring.js';
import { chainRefusal } from '../shared/broker-errors.js';
import { chainAdmission } from '../shared/chain-stream.js';
import { EVENT_STORE } from '../shared/tokens.js';
import { LRUCache } from 'lru-cache';

const CACHE_SIZE = 10_000;

/**
 * A chain's broker-signed touchstone, for a vendor's first spend of it. Revoked and closed
 * chains are refused with their code, so a vendor never starts accepting them.
 *
 * Hot path: a chain's stream grows with every spend, so this reads two events, not the stream:
 * the first (`ChainIssued`, immutable, cached) and the last (revocation and closing are final).
 */
@Injectable()
export class GetTouchstoneHandler {
  private readonly issued = new LRUCache<string, Touchstone>({ max: CACHE_SIZE });

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly ring: BrokerKeyRing,
  ) {}

  async execute(chainId: string): Promise<TouchstoneReply> {
    const stream = streams.chain(chainId);
    const [touchstone, last] = await Promise.all([
      this.touchstoneOf(chainId, stream),
      this.store.readStream(stream, { direction: 'backwards', maxCount: 1 }),
    ]);
    if (!touchstone) throw chainRefusal({ code: CHAIN.NOT_FOUND, message: `no chain ${chainId}` });
    // A revocation or close is believed only with the broker's signature (vendors may append).
    const final = last[0] && chainAdmission(this.ring, stream)(last[0]) ? decode(last[0]) : undefined;
    if (final?.type === 'ChainRevoked') {
      throw chainRefusal({
        code: CHAIN.REVOKED,
        message: `chain ${chainId} was revoked: ${final.data.reason}`,
      });
    }
    if (final?.type === 'ChainClosed') {
      throw chainRefusal({
        code: CHAIN.CLOSED,
        message: `chain ${chainId} is closed (${final.data.reason})`,
      });
    }
    return { touchstone };
  }

  private async touchstoneOf(chainId: string, stream: string): Promise<Touchstone | undefined> {
    const cached = this.issued.get(chainId);
    if (cached) return cached;
    const [first] = await this.store.readStream(stream, { maxCount: 1 });
    const event = first && chainAdmission(this.ring, stream)(first) ? decode(first) : undefined;
    if (event?.type !== 'ChainIssued') return undefined;
    this.issued.set(chainId, event.data.touchstone);
    return event.data.touchstone;
  }
}
