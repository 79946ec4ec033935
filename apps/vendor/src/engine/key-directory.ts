import { checkVendorKeyCertificate, DEFAULT_FRESHNESS_WINDOW_MS, type PublicKeyRecord } from '#protocol';
import type { VendorKeyCertificate } from '#protocol';
import type { BrokerKeyBook } from '#events';
import type { Clock } from '#platform';
import { refusal } from './vendor-errors.js';

/** Least time between two reads of the key list prompted by unknown key ids (a flood of bogus ids reads it once a second at most). */
const REFRESH_INTERVAL_MS = 1_000;

/**
 * The broker's public keys this vendor trusts: pinned from its configuration
 * (BROKER_PUBLIC_KEYS), and learned from the broker's key list in the store when it
 * verifies against the root key pinned in BROKER_ROOT_PUBLIC_KEYS — never from a NATS
 * reply or an unsigned source. Other vendors' keys are trusted only through a
 * certificate one of these keys signed.
 */
export class KeyDirectory {
  private readonly pinned: readonly PublicKeyRecord[];
  private lastRefreshMs = Number.NEGATIVE_INFINITY;

  constructor(
    pinned: readonly PublicKeyRecord[],
    private readonly book?: BrokerKeyBook,
    private readonly clock?: Clock,
  ) {
    this.pinned = [...pinned];
  }

  get broker(): readonly PublicKeyRecord[] {
    return this.book?.keys ?? this.pinned;
  }

  brokerKey(keyId: string): PublicKeyRecord | undefined {
    return this.broker.find((k) => k.keyId === keyId);
  }

  /** Reads the broker's key list again (at start, and when a key id is unknown); `true` when keys were added. */
  async refresh(force = false): Promise<boolean> {
    if (this.book === undefined) return false;
    const now = this.clock?.now().getTime() ?? 0;
    if (!force && now - this.lastRefreshMs < REFRESH_INTERVAL_MS) return false;
    this.lastRefreshMs = now;
    return this.book.refresh();
  }

  /** The key of `keyId`, reading the key list again once when it is not known yet. */
  async brokerKeyFresh(keyId: string): Promise<PublicKeyRecord | undefined> {
    const known = this.brokerKey(keyId);
    if (known !== undefined || this.book === undefined) return known;
    try {
      await this.refresh();
    } catch {
      // The store is away: the key stays unknown for now, the spend is refused and can be retried.
    }
    return this.brokerKey(keyId);
  }

  /**
   * The key `certificate` vouches for, if a pinned broker key signed it, it is
   * valid at `now`, and it is for `vendorId` (and `keyId` when given);
   * CERTIFICATE.* refusal otherwise.
   */
  certifiedKey(
    certificate: VendorKeyCertificate,
    use: { readonly vendorId: string; readonly keyId?: string; readonly now: Date },
  ): PublicKeyRecord {
    const check = checkVendorKeyCertificate(certificate, this.broker, {
      ...use,
      skewMs: DEFAULT_FRESHNESS_WINDOW_MS,
    });
    if (!check.ok) throw refusal(check.code, check.message, { vendorId: use.vendorId });
    return check.key;
  }
}
