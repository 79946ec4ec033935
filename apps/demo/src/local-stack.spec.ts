import { describe, expect, it } from '@jest/globals';
import { createSigner, vendorRegistrationToken, verifyEd25519 } from '#protocol';
import { loadConfig } from '#platform';
import { BrokerConfig } from '../../broker/src/broker.config.js';
import { RedemptionConfig } from '../../redemption/src/redemption.config.js';
import { VendorConfig } from '../../vendor/src/vendor.config.js';
import {
  brokerSpec,
  DEMO_VENDORS,
  freshSecrets,
  redemptionSpec,
  stackRedisPrefix,
  type StackOptions,
  vendorSpec,
} from './local-stack.js';

const options: StackOptions = {
  secrets: freshSecrets(),
  streamName: 'NETPAY_SPEC',
  subjectPrefix: 'netpay.spec',
  natsSubjectPrefix: 'spec',
  redisKeyPrefix: 'netpay:spec:',
  natsUrl: 'nats://127.0.0.1:4222',
  redisUrl: 'redis://127.0.0.1:6379',
  brokerPort: 3000,
  redemptionPort: 3200,
  timeZone: 'UTC',
};

describe("npm start's stack", () => {
  // Vendors are other companies: the admin token in a vendor's environment let it add a key of
  // its own to another vendor at the broker (certified as that vendor), reinstate itself after a
  // fraud suspension, revoke customers and run the night (an insider probe, with npm start).
  it('gives no vendor the admin token, only its own registration token', () => {
    const broker = loadConfig(BrokerConfig, brokerSpec(options).env);
    for (const vendor of DEMO_VENDORS) {
      const env = vendorSpec(options, vendor).env;
      expect({ vendor: vendor.id, admin: Object.values(env).includes(options.secrets.adminToken) }).toEqual({
        vendor: vendor.id,
        admin: false,
      });
      const config = loadConfig(VendorConfig, env);
      expect(config.registrationToken).toBe(vendorRegistrationToken(broker.brokerSecret, vendor.id));
    }
  });

  it("gives the redemption worker's first start time for a dead worker's lease to run out and a catch-up", () => {
    // The worker is ready once it holds the lease; a standby waits out the holder's TTL first.
    const worker = loadConfig(RedemptionConfig, redemptionSpec(options).env);
    expect(redemptionSpec(options).readyWithinMs).toBeGreaterThanOrEqual(worker.leaseTtlMs + 60_000);
  });

  it("has its broker count the worker's fraud verdicts (the verdict key the worker signs with)", () => {
    const worker = redemptionSpec(options).env;
    const verdict = new TextEncoder().encode('REDEMPTION.NOT_SPENT_BY_VENDOR newspaper');
    const signer = createSigner(worker.REDEMPTION_KEY_ID!, worker.REDEMPTION_SIGNING_KEY!);
    const signature = signer.sign(verdict);
    // The broker's own reading of its variables: an empty list there means no fraud suspensions.
    const broker = loadConfig(BrokerConfig, brokerSpec(options).env);
    const trusted = broker.redemptionPublicKeys.map((entry) => entry.split(':'));
    expect(
      trusted.some(
        ([keyId, publicKey]) => keyId === signer.keyId && verifyEd25519(publicKey!, verdict, signature),
      ),
    ).toBe(true);
  });

  it('keeps two checkouts, or two streams, apart in one Redis unless told a prefix', () => {
    const mine = freshSecrets();
    const theirs = freshSecrets();
    const prefix = stackRedisPrefix('', mine, 'NETPAY_EVENTS');
    expect(prefix).toMatch(/^netpay:[0-9a-f]{8}:$/);
    expect(stackRedisPrefix('', mine, 'NETPAY_EVENTS')).toBe(prefix); // across restarts
    expect(stackRedisPrefix('', theirs, 'NETPAY_EVENTS')).not.toBe(prefix);
    expect(stackRedisPrefix('', mine, 'OTHER_STREAM')).not.toBe(prefix);
    expect(stackRedisPrefix('netpay:mine:', mine, 'NETPAY_EVENTS')).toBe('netpay:mine:');
  });
});
