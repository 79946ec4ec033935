import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { VendorEngine } from '../engine/vendor-engine.js';
import type { VendorConfig } from '../vendor.config.js';
import { VENDOR_CONFIG } from '../vendor.tokens.js';
import { checkNotice } from './revocation.listener.js';

/**
 * At start, reads the broker's revocation list (GET /revocations) so a vendor
 * that was down during a broadcast refuses revoked chains at once. Every entry
 * is a broker-signed notice, checked against the pinned broker keys like the
 * broadcast; an entry that does not verify is dropped (counted, logged), never
 * acted on. Best effort: the chain streams stay the truth (a revoked chain's
 * next append fails on its revision and the reload shows it revoked).
 */
@Injectable()
export class RevocationListLoader implements OnApplicationBootstrap {
  private readonly logger = new Logger('Revocations');
  /** Resolves with how many revocations were loaded (tests wait for it). */
  loaded: Promise<number> = Promise.resolve(0);

  constructor(
    @Inject(VENDOR_CONFIG) private readonly config: VendorConfig,
    private readonly engine: VendorEngine,
  ) {}

  onApplicationBootstrap(): void {
    this.loaded = this.load().catch((error: unknown) => {
      this.logger.warn(`could not load the revocation list from the broker: ${String(error)}`);
      return 0;
    });
  }

  private async load(): Promise<number> {
    const response = await fetch(new URL('/revocations', this.config.brokerUrl), {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`GET /revocations answered ${response.status}`);
    const body = (await response.json()) as { revocations?: { notice?: unknown }[] };
    let count = 0;
    for (const entry of Array.isArray(body.revocations) ? body.revocations : []) {
      const checked = checkNotice(
        new TextEncoder().encode(JSON.stringify(entry?.notice ?? null)),
        this.engine.keys,
      );
      if ('reason' in checked) {
        this.engine.observer.messageRefused?.('revocation', checked.reason);
        this.logger.warn(`dropped a revocation list entry (${checked.reason}): ${checked.message}`);
        continue;
      }
      this.engine.revocations.add(checked.notice);
      count++;
    }
    return count;
  }
}
