import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pRetry from 'p-retry';
import { publicKeyRecord, type Signer } from '#protocol';
import { VendorEngine } from '../engine/vendor-engine.js';
import { VENDOR_CONFIG } from '../vendor.tokens.js';
import { shopOriginsOf, type VendorConfig } from '../vendor.config.js';

const ATTEMPTS = 10;

export type RegistrationResult = 'registered' | 'already-registered' | 'skipped' | 'failed';

/**
 * Registers this vendor's public key with the broker at start (POST /vendors
 * with this vendor's own registration token, which registers this vendor id
 * and nothing else), so other vendors can check its hand-off certificates,
 * and its shop's origins (PUT /vendors/{id}/shop-origins), the only pages the
 * broker's wallet frame may be embedded in for this vendor. In the
 * background, retried while the broker is not up yet; "already registered" is
 * success. Without VENDOR_REGISTRATION_TOKEN it does nothing.
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
    if (!this.config.registrationToken) return;
    this.done = this.register(this.engine.signer, this.config.registrationToken);
  }

  onApplicationShutdown(): void {
    this.stopping.abort(new Error('shutting down'));
  }

  private async register(signer: Signer, token: string): Promise<RegistrationResult> {
    const { vendorId, vendorName, brokerUrl } = this.config;
    const key = publicKeyRecord(signer);
    const body = { vendorId, name: vendorName, bankAccount: this.config.bankAccount ?? vendorId, key };
    const call = (method: string, path: string, payload: unknown, key: string): Promise<Response> =>
      fetch(new URL(path, brokerUrl), {
        method,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'idempotency-key': key,
        },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(5_000),
      });
    const refused = async (response: Response, what: string): Promise<'failed'> => {
      const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
      this.logger.error(
        `the broker refused ${what} of ${vendorId}: ${problem.code ?? response.status} ${problem.detail ?? ''}`,
      );
      return 'failed';
    };
    // Fresh for each start: the broker's record of an earlier start's key would answer for a list
    // an operator may have changed since.
    const originsKey = `shop-origins-${vendorId}-${randomUUID()}`;
    const attempt = async (): Promise<RegistrationResult> => {
      const response = await call('POST', '/vendors', body, `register-${vendorId}-${key.keyId}`);
      let result: RegistrationResult;
      if (response.status === 201 || response.status === 200) result = 'registered';
      else if (response.status >= 500) throw new Error(`the broker answered ${response.status}`);
      else {
        const problem = (await response
          .clone()
          .json()
          .catch(() => ({}))) as { code?: string };
        if (problem.code !== 'VENDOR.ALREADY_REGISTERED') return refused(response, 'the registration');
        result = 'already-registered';
      }
      const origins = shopOriginsOf(this.config);
      const set = await call('PUT', `/vendors/${vendorId}/shop-origins`, { origins }, originsKey);
      if (set.status >= 500) throw new Error(`the broker answered ${set.status}`);
      if (set.status !== 200) return refused(set, 'the shop origins');
      if (result === 'registered')
        this.logger.log(`registered ${vendorId} (key ${key.keyId}) with the broker`);
      this.logger.log(`the broker lets ${origins.join(', ')} embed the wallet frame for ${vendorId}`);
      return result;
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
