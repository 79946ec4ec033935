import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import pRetry from 'p-retry';
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
  private readonly stopping = new AbortController();
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
    this.stopping.abort(new Error('shutting down'));
  }

  private async register(signer: Signer, token: string): Promise<RegistrationResult> {
    const { vendorId, vendorName, brokerUrl } = this.config;
    const key = publicKeyRecord(signer);
    const body = { vendorId, name: vendorName, bankAccount: this.config.bankAccount ?? vendorId, key };
    const attempt = async (): Promise<RegistrationResult> => {
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
      throw new Error(`the broker answered ${response.status}`);
    };
    try {
      // The broker not up yet (no answer, a time-out, a 5xx): tried again, 1 s, 2 s, … 10 s apart.
      return await pRetry(attempt, {
        retries: ATTEMPTS - 1,
        minTimeout: 1_000,
        factor: 2,
        maxTimeout: 10_000,
        unref: true,
        signal: this.stopping.signal,
        // What is thrown is the broker not answering: a 5xx, a time-out, a network failure.
        shouldRetry: () => true,
        onFailedAttempt: ({ error, attemptNumber }) =>
          this.logger.warn(
            `broker not reachable for registration (attempt ${attemptNumber}): ${String(error)}`,
          ),
      });
    } catch {
      return 'failed';
    }
  }
}
