import type { RevocationNotice } from '#contracts';

/**
 * The broker's CRL as this process heard it (the fast path). The durable
 * truth is the chain stream's `ChainRevoked`: a vendor that missed a notice
 * still fails its next append on that chain and reloads a revoked state.
 */
export class RevocationList {
  private readonly chains = new Map<string, RevocationNotice>();
  private readonly pseudonyms = new Map<string, RevocationNotice>();

  add(notice: RevocationNotice): void {
    (notice.kind === 'chain' ? this.chains : this.pseudonyms).set(notice.id, notice);
  }

  chain(chainId: string): RevocationNotice | undefined {
    return this.chains.get(chainId);
  }

  /** P2P peers are vendors under a pseudonym: a revoked one may not hand chains on. */
  pseudonym(vendorId: string): RevocationNotice | undefined {
    return this.pseudonyms.get(vendorId);
  }
}
