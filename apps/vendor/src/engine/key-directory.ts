import type { PublicKeyRecord } from '#protocol';
import type { BrokerClient } from '../broker/broker-client.js';

/** Refetch a key list at most this often when asked for a key it does not have. */
const REFRESH_AFTER_MS = 1_000;

interface Entry {
  readonly keys: readonly PublicKeyRecord[];
  readonly fetchedAt: number;
}

/**
 * The broker's keys and other vendors' keys, fetched from the broker and kept.
 * An unknown key id triggers one refetch (keys rotate), rate-limited so a
 * stream of bad ids cannot hammer the broker; concurrent misses share a fetch.
 */
export class KeyDirectory {
  private broker: Entry;
  private readonly vendors = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<Entry>>();

  constructor(
    private readonly client: BrokerClient,
    /** Broker keys known from configuration (accepted without asking). */
    configured: readonly PublicKeyRecord[] = [],
    private readonly now: () => number = Date.now,
  ) {
    this.broker = { keys: configured, fetchedAt: Number.NEGATIVE_INFINITY };
  }

  async brokerKey(keyId: string): Promise<PublicKeyRecord | undefined> {
    const known = this.broker.keys.find((k) => k.keyId === keyId);
    if (known || !this.stale(this.broker)) return known;
    const fetched = await this.fetch('broker', async () => [
      ...this.broker.keys,
      ...(await this.client.brokerKeys()),
    ]);
    this.broker = fetched;
    return fetched.keys.find((k) => k.keyId === keyId);
  }

  /** The keys of `vendorId`; refetched when `keyId` is not among them. */
  async vendorKeys(vendorId: string, keyId: string): Promise<readonly PublicKeyRecord[]> {
    const entry = this.vendors.get(vendorId);
    if (entry && (entry.keys.some((k) => k.keyId === keyId) || !this.stale(entry))) return entry.keys;
    const fetched = await this.fetch(`vendor:${vendorId}`, () => this.client.vendorKeys(vendorId));
    // A key record that names another owner is never accepted for this vendor.
    const own = fetched.keys
      .filter((k) => k.ownerId === undefined || k.ownerId === vendorId)
      .map((k) => ({ ...k, ownerId: vendorId }));
    this.vendors.set(vendorId, { keys: own, fetchedAt: fetched.fetchedAt });
    return own;
  }

  private stale(entry: Entry): boolean {
    return this.now() - entry.fetchedAt >= REFRESH_AFTER_MS;
  }

  private fetch(key: string, load: () => Promise<readonly PublicKeyRecord[]>): Promise<Entry> {
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = load()
        .then((keys) => ({ keys, fetchedAt: this.now() }))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }
}
