import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import type { JetStreamEventStore } from '#event-store';
import { connectTestStore, testNatsEnv } from '#event-store/testing';
import { createHttpApp, JsonLogger, loadConfig } from '#platform';
import { generateSigningKey } from '#protocol';
import { VendorEngine } from '../src/engine/vendor-engine.js';
import { VendorRuntime } from '../src/netpay/vendor-runtime.js';
import { VendorConfig } from '../src/vendor.config.js';
import { VendorModule } from '../src/vendor.module.js';
import { InMemoryBroker } from './in-memory-broker.js';
import { NatsStubBroker } from './nats-stub-broker.js';
import { PrivateNats } from './private-nats.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RunningVendor {
  readonly vendorId: string;
  readonly app: NestFastifyApplication;
  readonly engine: VendorEngine;
  readonly runtime: VendorRuntime;
  readonly url: string;
  http(
    method: string,
    path: string,
    request?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Real servers for vendor integration tests: a private NATS (JetStream
 * store, hand-offs, broker subjects), Redis under a prefix of this stack's
 * own, and a stub broker on NATS. Vendors run in-process as full apps.
 */
export class VendorStack {
  readonly unique = randomUUID().replaceAll('-', '').slice(0, 12);
  readonly redisPrefix = `test:vendor:${this.unique}:`;
  readonly logLines: string[] = [];
  private readonly vendors: RunningVendor[] = [];
  private readonly keys = new Map<string, string>();

  private constructor(
    readonly nats: PrivateNats,
    /** JetStream stream and subject prefix of the store (for vendor processes of their own). */
    readonly streamName: string,
    readonly subjectPrefix: string,
    readonly store: JetStreamEventStore,
    readonly broker: InMemoryBroker,
    readonly stub: NatsStubBroker,
    readonly redis: Redis,
  ) {}

  static async start(): Promise<VendorStack> {
    const nats = await PrivateNats.start();
    const unique = randomUUID().replaceAll('-', '').slice(0, 12);
    const streamName = `TEST_VENDOR_${unique}`;
    const subjectPrefix = `test.vendor${unique}.events`;
    const store = await connectTestStore({ servers: nats.url, streamName, subjectPrefix });
    const broker = new InMemoryBroker(store);
    const stub = await NatsStubBroker.start(nats.url, broker);
    return new VendorStack(nats, streamName, subjectPrefix, store, broker, stub, new Redis(REDIS_URL));
  }

  /** BROKER_PUBLIC_KEYS of the stub broker: what every vendor of this stack pins. */
  get brokerPublicKeys(): string {
    return this.broker
      .publicKeys()
      .map((k) => `${k.keyId}:${k.publicKey}`)
      .join(',');
  }

  /** Starts an instance of `vendorId`; a second call with the same id is a replica (same key, same Redis prefix). */
  async vendor(vendorId: string, env: Record<string, string> = {}): Promise<RunningVendor> {
    let key = this.keys.get(vendorId);
    if (!key) {
      key = generateSigningKey('k').privateKey;
      this.keys.set(vendorId, key);
    }
    const config = loadConfig(VendorConfig, {
      VENDOR_ID: vendorId,
      VENDOR_KEY: key,
      ...testNatsEnv(`vendor-${vendorId}`, this.nats.url),
      REDIS_URL,
      REDIS_KEY_PREFIX: this.redisPrefix,
      HANDOFF_TIMEOUT: '300ms',
      BROKER_URL: 'http://127.0.0.1:9', // no HTTP broker here: the start-up CRL load fails fast
      BROKER_PUBLIC_KEYS: this.brokerPublicKeys,
      VENDOR_CATALOG: 'newspaper,cards,music',
      ...env,
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
    const engine = app.get(VendorEngine);
    this.broker.registerVendor(vendorId, engine.signer);
    const url = await app.getUrl();
    const running: RunningVendor = {
      vendorId,
      app,
      engine,
      runtime: app.get(VendorRuntime),
      url,
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
      close: async () => {
        await app.close();
      },
    };
    this.vendors.push(running);
    return running;
  }

  /** Deletes this stack's Redis keys: what a flushed or restarted Redis looks like to the vendors. */
  async flushRedis(): Promise<void> {
    const keys = await this.redis.keys(`${this.redisPrefix}*`);
    if (keys.length) await this.redis.del(...keys);
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.vendors.map((v) => v.app.close()));
    await this.stub.stop().catch(() => undefined);
    await this.flushRedis();
    await this.redis.quit();
    await this.store.deleteStreams().catch(() => undefined);
    await this.store.close();
    await this.nats.stop();
  }
}

/** `X-NetPay-Payment` for a spend of `count` at index `index`. */
export function paymentHeader(
  chain: { chainId: string; payword(i: number): string },
  index: number,
  count: number,
): string {
  const position = index + count - 1;
  return `${chain.chainId}.${position}.${chain.payword(position)}`;
}
