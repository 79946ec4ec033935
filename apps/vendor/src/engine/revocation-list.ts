import type { RevocationNoticeBody } from '#protocol';

/** A CRL entry this process acts on (its broker signature was checked where it came in). */
export type RevocationEntry = Pick<RevocationNoticeBody, 'kind' | 'id' | 'reason' | 'at'>;

/**
 * The broker's CRL as this process heard it (the fast path). The durable
 * truth is the chain stream's `ChainRevoked`: a vendor that missed a notice
 * still fails its next append on that chain and reloads a revoked state.
 */
export class RevocationList {
  private readonly chains = new Map<string, RevocationEntry>();
  private readonly pseudonyms = new Map<string, RevocationEntry>();

  add(notice: RevocationEntry): void {
    (notice.kind === 'chain' ? this.chains : this.pseudonyms).set(notice.id, notice);
  }

  chain(chainId: string): RevocationEntry | undefined {
    return this.chains.get(chainId);
  }

  /** P2P peers are vendors under a pseudonym: a revoked one may not hand chains on. */
  pseudonym(vendorId: string): RevocationEntry | undefined {
    return this.pseudonyms.get(vendorId);
  }
}
