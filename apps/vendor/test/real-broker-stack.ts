import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, testNatsEnv } from '#event-store/testing';
import { createHttpApp, JsonLogger, loadConfig } from '#platform';
import { generateSigningKey, vendorRegistrationToken } from '#protocol';
import { startBroker, testBrokerConfig, type TestBroker } from '../../broker/src/test/broker-harness.js';
import { BrokerKeyRing } from '../../broker/src/keys/broker-key-ring.js';
import { VendorEngine } from '../src/engine/vendor-engine.js';
import { SelfRegistration } from '../src/registration/self-registration.js';
import { RevocationListLoader } from '../src/revocation/revocation-list.loader.js';
import { VendorConfig } from '../src/vendor.config.js';
import { VendorModule } from '../src/vendor.module.js';
import { PrivateNats } from './private-nats.js';
import { REDIS_URL, type Response } from './vendor-stack.js';

export interface BrokeredVendor {
  readonly app: NestFastifyApplication;
  readonly engine: VendorEngine;
  readonly registration: SelfRegistration;
  readonly config: VendorConfig;
  readonly loader: RevocationListLoader;
  http(
    method: string,
    path: string,
    request?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
}

/** The real broker app (NATS handlers, CRL broadcast) and vendor apps, on a private NATS and the shared Redis. */
export class RealBrokerStack {
  private readonly apps: NestFastifyApplication[] = [];
  readonly logLines: string[] = [];

  private constructor(
    readonly nats: PrivateNats,
    readonly store: JetStreamEventStore,
    readonly broker: TestBroker,
    readonly unique: string,
  ) {}

  static async start(
    options: { reconnectWaitMs?: number; brokerEnv?: Record<string, string> } = {},
  ): Promise<RealBrokerStack> {
    const nats = await PrivateNats.start();
    const unique = randomUUID().replaceAll('-', '').slice(0, 12);
    const { brokerEnv: _brokerEnv, ...storeOptions } = options;
    const store = await connectTestStore({
      ...storeOptions,
      servers: nats.url,
      streamName: `TEST_VB_${unique}`,
      subjectPrefix: `test.vb${unique}.events`,
    });
    const config = testBrokerConfig({
      ...testNatsEnv('broker', nats.url),
      REDIS_URL,
      REDIS_KEY_PREFIX: `test:vb:${unique}:broker:`,
      ...options.brokerEnv,
    });
    const broker = await startBroker({ store, config, nats: true, idempotency: 'memory' });
    return new RealBrokerStack(nats, store, broker, unique);
  }

  /** A vendor app; `redisUrl` gives it a Redis of its own (a private server a test may stop). */
  async vendor(vendorId: string, options: { redisUrl?: string } = {}): Promise<BrokeredVendor> {
    const config = loadConfig(VendorConfig, {
      VENDOR_ID: vendorId,
      VENDOR_NAME: `Vendor ${vendorId}`,
      VENDOR_KEY: generateSigningKey('k').privateKey,
      ...testNatsEnv(`vendor-${vendorId}`, this.nats.url),
      REDIS_URL: options.redisUrl ?? REDIS_URL,
      REDIS_KEY_PREFIX: `test:vb:${this.unique}:`,
      HANDOFF_TIMEOUT: '500ms',
      VENDOR_CATALOG: 'newspaper,cards,music',
      BROKER_URL: await this.broker.app.getUrl(),
      // Its own registration token, never the admin token (which would let it act for other vendors).
      VENDOR_REGISTRATION_TOKEN: vendorRegistrationToken(this.broker.config.brokerSecret, vendorId),
      BROKER_PUBLIC_KEYS: this.broker.app
        .get(BrokerKeyRing)
        .publicKeys()
        .map((k) => `${k.keyId}:${k.publicKey}`)
        .join(','),
      CHECKOUT_COINS: '10',
    });
    const logger = new JsonLogger({ service: vendorId, level: 'warn', write: (l) => this.logLines.push(l) });
    const app = await createHttpApp(VendorModule.forRoot(config, { eventStore: this.store }), {
      name: `vendor-${vendorId}`,
      version: 'test',
      port: 0,
      host: '127.0.0.1',
      logger,
      docsUi: false,
    });
    this.apps.push(app);
    const url = await app.getUrl();
    return {
      app,
      config,
      engine: app.get(VendorEngine),
      registration: app.get(SelfRegistration),
      loader: app.get(RevocationListLoader),
      http: async (method, path, request = {}) => {
        const response = await fetch(url + path, {
          method,
          headers: {
            ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...request.headers,
          },
          body: request.body === undefined ? undefined : JSON.stringify(request.body),
        });
        const text = await response.text();
        return {
          status: response.status,
          headers: response.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        };
      },
    };
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.apps.map((a) => a.close()));
    await this.broker.close();
    await this.store.deleteStreams().catch(() => undefined);
    await this.store.close();
    await this.nats.stop();
    const { Redis } = await import('ioredis');
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`test:vb:${this.unique}:*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
}
