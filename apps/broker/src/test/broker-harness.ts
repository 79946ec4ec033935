// Boots the broker in-process for tests: HTTP on 127.0.0.1:0, optional NATS, injected store and clock.
import { randomBytes, randomUUID } from 'node:crypto';
import type { LogLevel } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { queues } from '#contracts';
import type { EventStore } from '#event-store';
import {
  type Clock,
  configSecrets,
  connectNats,
  createHttpApp,
  JsonLogger,
  loadConfig,
  natsIdentityOptions,
} from '#platform';
import { generateSigningKey } from '#protocol';
import type { PaymentGateway } from '../bank/payment-gateway.port.js';
import { BrokerConfig } from '../broker.config.js';
import { BROKER_VERSION, BrokerModule } from '../broker.module.js';
import { BROKER_STATUS_BY_CODE } from '../shared/broker-errors.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0001';

export function testBrokerConfig(env: Record<string, string> = {}): BrokerConfig {
  return loadConfig(BrokerConfig, {
    NODE_ENV: 'test',
    ADMIN_TOKEN,
    WALLET_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    BROKER_SECRET: randomBytes(32).toString('hex'),
    BROKER_SIGNING_KEY: generateSigningKey('k').privateKey,
    BROKER_KEY_ID: 'broker-test-1',
    CHAIN_MAX_LENGTH: '50',
    ...env,
  });
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export type Http = (
  method: string,
  path: string,
  request?: {
    body?: unknown;
    raw?: string;
    headers?: Record<string, string>;
    key?: string | false;
    token?: string;
  },
) => Promise<TestResponse>;

/** fetch against the app; a fresh Idempotency-Key on every mutating call unless `key` says otherwise. */
export function httpClient(baseUrl: string): Http {
  return async (method, path, request = {}) => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined || request.raw !== undefined) headers['content-type'] = 'application/json';
    if (request.token) headers.authorization = `Bearer ${request.token}`;
    if (method !== 'GET' && request.key !== false) headers['idempotency-key'] = request.key ?? randomUUID();
    const response = await fetch(baseUrl + path, {
      method,
      headers,
      body: request.raw ?? (request.body === undefined ? undefined : JSON.stringify(request.body)),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: <T>() => JSON.parse(text) as T };
  };
}

export interface TestBroker {
  readonly app: NestFastifyApplication;
  readonly http: Http;
  readonly config: BrokerConfig;
  readonly logLines: string[];
  close(): Promise<void>;
}

export interface StartBrokerOptions {
  readonly store: EventStore;
  readonly clock?: Clock;
  readonly config?: BrokerConfig;
  /** Redis-backed Idempotency-Key records (integration tests); memory otherwise. */
  readonly idempotency?: 'redis' | 'memory';
  /** Serve the NATS handlers (integration tests). */
  readonly nats?: boolean;
  /** A payment gateway instead of the simulated bank (its admin endpoints are then absent). */
  readonly paymentGateway?: PaymentGateway;
  /** `warn` when omitted; `verbose` shows every request line (the redaction test). */
  readonly logLevel?: LogLevel;
}

export async function startBroker(options: StartBrokerOptions): Promise<TestBroker> {
  const config = options.config ?? testBrokerConfig();
  const logLines: string[] = [];
  const logger = new JsonLogger({
    service: 'broker',
    level: options.logLevel ?? 'warn',
    write: (l) => logLines.push(l),
    secrets: configSecrets(BrokerConfig, config),
  });
  const app = await createHttpApp(
    BrokerModule.forRoot({
      config,
      eventStore: options.store,
      idempotencyStore: options.idempotency ?? 'memory',
      nats: options.nats ?? false,
      ...(options.paymentGateway ? { paymentGateway: options.paymentGateway } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    }),
    {
      name: 'broker',
      version: BROKER_VERSION,
      port: 0,
      host: '127.0.0.1',
      logger,
      docsUi: false,
      statusByCode: BROKER_STATUS_BY_CODE,
      configure: async (a) => {
        if (options.nats)
          await connectNats(a, {
            servers: config.natsServers,
            queue: queues.broker,
            name: 'broker-test',
            identity: natsIdentityOptions(config),
          });
      },
    },
  );
  const http = httpClient(await app.getUrl());
  return { app, http, config, logLines, close: () => app.close() };
}
