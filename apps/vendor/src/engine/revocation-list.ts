import type { RevocationNoticeBody } from '#protocol';

/** A CRL entry this process acts on (its broker signature was checked where it came in). */
export type RevocationEntry = Pick<RevocationNoticeBody, 'kind' | 'id' | 'reason' | 'at' | 'lifted'>;

/**
 * The broker's CRL as this process heard it (the fast path). The durable
 * truth is the chain stream's `ChainRevoked`: a vendor that missed a notice
 * still fails its next append on that chain and reloads a revoked state.
 *
 * Vendor suspensions (fraud) can be lifted by the operator: per vendor the
 * latest notice by `at` stands, whatever order notices arrive in (the
 * broadcast is at least once and the start-up list may cross it).
 */
export class RevocationList {
  private readonly chains = new Map<string, RevocationEntry>();
  private readonly pseudonyms = new Map<string, RevocationEntry>();
  private readonly vendors = new Map<string, RevocationEntry>();

  add(notice: RevocationEntry): void {
    if (notice.kind === 'chain') this.chains.set(notice.id, notice);
    else if (notice.kind === 'pseudonym') this.pseudonyms.set(notice.id, notice);
    else if (notice.kind === 'vendor') {
      const known = this.vendors.get(notice.id);
      // ISO-8601 UTC times of one format compare as strings; on a tie the lift wins (the operator's word).
      if (!known || notice.at > known.at || (notice.at === known.at && notice.lifted))
        this.vendors.set(notice.id, notice);
    }
    // Customers are refused by the broker (no checkout, no grant) and by the chains it revokes.
  }

  chain(chainId: string): RevocationEntry | undefined {
    return this.chains.get(chainId);
  }

  /** P2P peers are vendors under a pseudonym: a revoked one may not hand chains on. */
  pseudonym(vendorId: string): RevocationEntry | undefined {
    return this.pseudonyms.get(vendorId);
  }

  /** The suspension of `vendorId` in force (none when never suspended or lifted since). */
  suspended(vendorId: string): RevocationEntry | undefined {
    const entry = this.vendors.get(vendorId);
    return entry && !entry.lifted ? entry : undefined;
  }
}
