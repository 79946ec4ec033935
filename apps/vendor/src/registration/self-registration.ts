import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { publicKeyRecord, type Signer } from '#protocol';
import { VendorEngine } from '../engine/vendor-engine.js';
import { VENDOR_CONFIG } from '../vendor.tokens.js';
import type { VendorConfig } from '../vendor.config.js';

const ATTEMPTS = 10;

export type RegistrationResult = 'registered' | 'already-registered' | 'skipped' | 'failed';

/**
 * Registers this vendor's public key with the broker at start (POST /vendors
 * with the admin token), so other vendors can check its hand-off
 * certificates. In the background, retried while the broker is not up yet;
 * "already registered" is success. Without BROKER_ADMIN_TOKEN it does nothing.
 */
@Injectable()
export class SelfRegistration implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Registration');
  private stopped = false;
  /** Resolves with how the registration ended (tests wait for it). */
  done: Promise<RegistrationResult> = Promise.resolve('skipped');

  constructor(
    @Inject(VENDOR_CONFIG) private readonly config: VendorConfig,
    private readonly engine: VendorEngine,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.brokerAdminToken) return;
    this.done = this.register(this.engine.signer, this.config.brokerAdminToken);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
  }

  private async register(signer: Signer, token: string): Promise<RegistrationResult> {
    const { vendorId, vendorName, brokerUrl } = this.config;
    const key = publicKeyRecord(signer);
    const body = { vendorId, name: vendorName, bankAccount: this.config.bankAccount ?? vendorId, key };
    for (let attempt = 1; attempt <= ATTEMPTS && !this.stopped; attempt++) {
      try {
        const response = await fetch(new URL('/vendors', brokerUrl), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${token}`,
            'idempotency-key': `register-${vendorId}-${key.keyId}`,
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5_000),
        });
        if (response.status === 201 || response.status === 200) {
          this.logger.log(`registered ${vendorId} (key ${key.keyId}) with the broker`);
          return 'registered';
        }
        const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
        if (problem.code === 'VENDOR.ALREADY_REGISTERED') return 'already-registered';
        if (response.status < 500) {
          this.logger.error(
            `the broker refused to register ${vendorId}: ${problem.code ?? response.status} ${problem.detail ?? ''}`,
          );
          return 'failed';
        }
      } catch (error) {
        this.logger.warn(`broker not reachable for registration (attempt ${attempt}): ${String(error)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** attempt, 10_000)).unref());
    }
    return 'failed';
  }
}
