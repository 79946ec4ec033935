import { LRUCache } from 'lru-cache';
import { verifyTouchstone, type Touchstone } from '#protocol';
import type { BrokerClient } from '../broker/broker-client.js';
import type { HotChainStore } from './hot-chain-store.js';
import type { KeyDirectory } from './key-directory.js';
import { sameTouchstone } from './chain-record.js';
import { refusal, VENDOR } from './vendor-errors.js';

const CAPACITY = 100_000;

/**
 * Touchstones this process has checked against the broker's keys. A
 * touchstone is immutable, so one signature check per chain and process is
 * enough; after that it is a map lookup. Checked ones go to the hot store for
 * the other replicas (which check them again once, on their first use).
 */
export class TouchstoneBook {
  private readonly verified = new LRUCache<string, Touchstone>({ max: CAPACITY });

  constructor(
    private readonly keys: KeyDirectory,
    private readonly broker: BrokerClient,
    private readonly hot: HotChainStore,
  ) {}

  /** `touchstone` after checking its broker signature (once per process). */
  async accept(touchstone: Touchstone): Promise<Touchstone> {
    const known = this.verified.get(touchstone.chainId);
    if (known && sameTouchstone(known, touchstone)) return known;
    const key = await this.keys.brokerKeyFresh(touchstone.brokerKeyId);
    const check = verifyTouchstone(touchstone, key ? [key] : []);
    if (!check.ok) {
      throw refusal(VENDOR.TOUCHSTONE_INVALID, `touchstone of ${touchstone.chainId}: ${check.message}`, {
        chainId: touchstone.chainId,
        reason: check.code,
      });
    }
    this.verified.set(touchstone.chainId, touchstone);
    void this.hot.writeTouchstone(touchstone);
    return touchstone;
  }

  /** The touchstone of a chain known to be issued: from memory, the payer, or the broker. */
  async obtain(chainId: string, carried?: Touchstone): Promise<Touchstone> {
    const known = this.verified.get(chainId);
    if (known) return known;
    if (carried && carried.chainId === chainId) return this.accept(carried);
    return this.accept(await this.broker.touchstone(chainId));
  }
}
