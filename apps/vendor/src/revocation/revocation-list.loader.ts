import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import pRetry from 'p-retry';
import type { NatsConnection } from '@nats-io/nats-core';
import { NATS_CONNECTION } from '#platform';
import { VendorEngine } from '../engine/vendor-engine.js';
import type { VendorConfig } from '../vendor.config.js';
import { VENDOR_CONFIG } from '../vendor.tokens.js';
import { checkNotice } from './revocation.listener.js';

/**
 * At start, reads the broker's revocation list (GET /revocations) so a vendor
 * that was down during a broadcast refuses revoked chains (and suspended vendors) at once. Every entry
 * is a broker-signed notice, checked against the pinned broker keys like the
 * broadcast; an entry that does not verify is dropped (counted, logged), never
 * acted on. Best effort: the chain streams stay the truth (a revoked chain's
 * next append fails on its revision and the reload shows it revoked).
 */
@Injectable()
export class RevocationListLoader implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocations');
  /** Resolves with how many revocations were loaded (tests wait for it). */
  loaded: Promise<number> = Promise.resolve(0);
  private readonly stopping = new AbortController();

  constructor(
    @Inject(VENDOR_CONFIG) private readonly config: VendorConfig,
    private readonly engine: VendorEngine,
    @Optional() @Inject(NATS_CONNECTION) private readonly nc?: NatsConnection,
  ) {}

  onApplicationBootstrap(): void {
    this.loaded = this.load().catch((error: unknown) => {
      this.logger.warn(`could not load the revocation list from the broker: ${String(error)}`);
      this.loadLater();
      return 0;
    });
    void this.reloadAfterReconnects();
  }

  /** Notices broadcast while NATS was away never arrive: read the whole list again when it is back. */
  private async reloadAfterReconnects(): Promise<void> {
    if (!this.nc) return;
    for await (const status of this.nc.status()) {
      if (this.stopping.signal.aborted) return;
      if (status.type !== 'reconnect') continue;
      this.load().then(
        (count) => this.logger.log(`revocation list reloaded after a NATS reconnect: ${count}`),
        () => this.loadLater(),
      );
    }
  }

  onApplicationShutdown(): void {
    this.stopping.abort(new Error('shutting down'));
  }

  /** The broker was away at start: try again (1 s, 2 s, … up to a minute, with jitter) until it answers. */
  private loadLater(): void {
    void pRetry(() => this.load(), {
      retries: Infinity,
      minTimeout: 500,
      factor: 2,
      maxTimeout: 60_000,
      // Delays × 1–2 at random: vendors that lost the broker together do not come back in step.
      randomize: true,
      unref: true,
      signal: this.stopping.signal,
      shouldRetry: () => true,
    }).then(
      (count) => this.logger.log(`revocation list loaded after the broker came back: ${count}`),
      () => undefined,
    );
  }

  private async load(): Promise<number> {
    const response = await fetch(new URL('/revocations', this.config.brokerUrl), {
      signal: AbortSignal.timeout(5_000),
    });
    if (!response.ok) throw new Error(`GET /revocations answered ${response.status}`);
    const body = (await response.json()) as { revocations?: { notice?: unknown }[]; vendors?: unknown[] };
    // Revoked chains, then the latest notice about each vendor suspended for fraud (or its lift).
    const notices = [
      ...(Array.isArray(body.revocations) ? body.revocations : []).map((entry) => entry?.notice ?? null),
      ...(Array.isArray(body.vendors) ? body.vendors : []),
    ];
    let count = 0;
    for (const notice of notices) {
      const checked = checkNotice(new TextEncoder().encode(JSON.stringify(notice)), this.engine.keys);
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
