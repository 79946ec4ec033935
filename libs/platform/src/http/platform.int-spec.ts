import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ClientProxyFactory, type ClientProxy, Transport } from '@nestjs/microservices';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import type { RpcErrorReply } from '../errors/rpc-error.js';
import { rpcRequest } from '../errors/rpc-request.js';
import { JsonLogger } from '../logging/json-logger.js';
import { NatsModule } from '../nats/nats.module.js';
import { RedisModule } from '../redis/redis.module.js';
import { TEST_NATS_URL, testNatsIdentity } from '#event-store/testing';
import { connectNats } from './connect-nats.js';
import { createHttpApp } from './create-http-app.js';
import { httpClient } from './testing/http-client.js';
import { Executions, sampleAppModule } from './testing/sample-app.js';
import { PrivateNats } from '../../../../apps/vendor/test/private-nats.js';

const NATS = TEST_NATS_URL;
// A sample service on made-up subjects: the fixture identity of the local stack.
const identity = testNatsIdentity('test');
const REDIS_URL = 'redis://127.0.0.1:6379';
const run = randomUUID();
const keyPrefix = `test:platform:${run}:`;
const queue = `sample-${run}`;
const quiet = new JsonLogger({ service: 'sample', level: 'error', write: () => undefined });

/** The sample service on an ephemeral port of 127.0.0.1, quiet, without the docs UI. */
function startSample(
  module: Parameters<typeof createHttpApp>[0],
  configure?: (app: NestFastifyApplication) => Promise<void>,
): Promise<NestFastifyApplication> {
  return createHttpApp(module, {
    name: 'sample',
    version: '0.0.1',
    port: 0,
    host: '127.0.0.1',
    logger: quiet,
    docsUi: false, // see HttpAppOptions.docsUi
    ...(configure ? { configure } : {}),
  });
}

// Two replicas of one service sharing Redis and a NATS queue group, as in production.
function startReplica(): Promise<NestFastifyApplication> {
  const module = sampleAppModule({ store: 'redis' }, [
    RedisModule.forRoot({ url: REDIS_URL, keyPrefix }),
    NatsModule.forRoot({ servers: NATS, name: `sample-${run}`, connection: identity }),
  ]);
  return startSample(module, (app) =>
    connectNats(app, { servers: NATS, queue, identity }).then(() => undefined),
  );
}

describe('platform glue with real Redis and NATS', () => {
  let a: NestFastifyApplication;
  let b: NestFastifyApplication;
  let httpA: ReturnType<typeof httpClient>;
  let httpB: ReturnType<typeof httpClient>;
  let client: ClientProxy;

  beforeAll(async () => {
    [a, b] = await Promise.all([startReplica(), startReplica()]);
    httpA = httpClient(await a.getUrl());
    httpB = httpClient(await b.getUrl());
    client = ClientProxyFactory.create({
      transport: Transport.NATS,
      options: { ...identity, servers: NATS },
    });
    await client.connect();
  });

  afterAll(async () => {
    await client?.close();
    await Promise.all([a?.close(), b?.close()]);
    const raw = new Redis(REDIS_URL);
    const keys = await raw.keys(`${keyPrefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  it('refuses an unknown field with a REQUEST.INVALID problem', async () => {
    const res = await httpA('POST', '/chains', {
      body: { coins: 1, currency: 'EUR', price: 0 },
      headers: { 'idempotency-key': `k-${randomUUID()}` },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.json()).toMatchObject({
      type: 'urn:netpay:error:REQUEST.INVALID',
      status: 400,
      code: 'REQUEST.INVALID',
      errors: [{ field: 'price', messages: ['property price should not exist'] }],
    });
  });

  it('replays through Redis on another replica, and refuses the key with another body', async () => {
    const key = `k-${randomUUID()}`;
    const ran = a.get(Executions).count + b.get(Executions).count;
    const first = await httpA('POST', '/chains', {
      body: { coins: 7, currency: 'EUR' },
      headers: { 'idempotency-key': key },
    });
    const retry = await httpB('POST', '/chains', {
      body: { currency: 'EUR', coins: 7 },
      headers: { 'idempotency-key': key },
    });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(a.get(Executions).count + b.get(Executions).count).toBe(ran + 1);

    const other = await httpB('POST', '/chains', {
      body: { coins: 8, currency: 'EUR' },
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await httpA('GET', '/docs-json');
    expect(res.status).toBe(200);
    expect(res.json<{ paths: Record<string, unknown> }>().paths).toHaveProperty('/chains');
  });

  it('is ready when Redis and NATS answer', async () => {
    const res = await httpA('GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      checks: { redis: { status: 'up' }, nats: { status: 'up' } },
    });
  });

  it('answers NATS requests, and turns coded and validation errors into { error } replies', async () => {
    const ok = await rpcRequest<{ coins: number }>(
      client,
      'sample.buy',
      { coins: 3, currency: 'EUR' },
      { timeoutMs: 2_000 },
    );
    expect(ok).toEqual({ coins: 3 });
    await expect(
      rpcRequest(client, 'sample.buy', { coins: 3, currency: 'XXX' }, { timeoutMs: 2_000 }),
    ).rejects.toMatchObject({
      code: 'PURCHASE.CURRENCY_UNKNOWN',
      status: 422,
      message: 'currency XXX is not sold',
    });
    await expect(
      rpcRequest(client, 'sample.buy', { coins: 0, currency: 'EUR', extra: 1 }, { timeoutMs: 2_000 }),
    ).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
      status: 400,
      details: expect.objectContaining({ remote: true }),
    });
  });

  it.each([
    ['raw bytes', Uint8Array.from([0xff, 0x00, 0xfe])],
    ['not JSON', 'hello'],
    ['[]', '[]'],
    ['"x"', '"x"'],
    ['null', 'null'],
    ['{}', '{}'],
    ['JSON without data', JSON.stringify({ pattern: 'sample.buy', id: 'req-1' })],
    ['a packet without id', JSON.stringify({ pattern: 'sample.buy', data: { coins: 1, currency: 'EUR' } })],
    ['a deep packet', `{"pattern":"sample.buy","id":"req-2","data":${'['.repeat(5000)}${']'.repeat(5000)}}`],
  ])('answers a malformed request (%s) with a coded error instead of a time-out', async (_name, payload) => {
    const nc = await connect({ ...identity, servers: NATS });
    try {
      const before = a.get(Executions).rpc + b.get(Executions).rpc;
      const msg = await nc.request('sample.buy', payload, { timeout: 2_000 });
      const reply = msg.json<{ response?: RpcErrorReply } & Partial<RpcErrorReply>>();
      const error = (reply.response ?? reply).error;
      expect(error?.code).toMatch(/^REQUEST\.(INVALID|TOO_DEEP)$/);
      expect(error?.status).toBe(400);
      expect(a.get(Executions).rpc + b.get(Executions).rpc).toBe(before);
    } finally {
      await nc.close();
    }
  });

  it('bounds every request: a late answer → RPC.TIMEOUT; nobody listening → RPC.NO_RESPONDERS', async () => {
    await expect(rpcRequest(client, 'sample.slow', {}, { timeoutMs: 50 })).rejects.toMatchObject({
      code: 'RPC.TIMEOUT',
      status: 503,
    });
    await expect(rpcRequest(client, `sample.nobody-${run}`, {}, { timeoutMs: 2_000 })).rejects.toMatchObject({
      code: 'RPC.NO_RESPONDERS',
      status: 503,
    });
  });

  it('shares NATS requests between replicas (queue group): each request is handled once', async () => {
    const [rpcA, rpcB] = [a.get(Executions).rpc, b.get(Executions).rpc];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rpcRequest<{ coins: number }>(
          client,
          'sample.buy',
          { coins: i + 1, currency: 'EUR' },
          { timeoutMs: 2_000 },
        ),
      ),
    );
    expect(answers.map((x) => x.coins)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const [byA, byB] = [a.get(Executions).rpc - rpcA, b.get(Executions).rpc - rpcB];
    expect(byA + byB).toBe(20); // not 40: one replica per request
    // Both took a share (all 20 on one replica has probability 2^-19 with random queue delivery).
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
  });
});

describe('readiness with an unreachable Redis', () => {
  it('answers 503 naming the failing check', async () => {
    const module = sampleAppModule({ store: 'memory' }, [
      RedisModule.forRoot({
        url: 'redis://127.0.0.1:1',
        client: { maxRetriesPerRequest: 0, retryStrategy: () => null },
      }),
    ]);
    const app = await startSample(module);
    try {
      const res = await httpClient(await app.getUrl())('GET', '/health/ready');
      expect(res.status).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', checks: { redis: { status: 'down' } } });
    } finally {
      await app.close();
    }
  });
});

describe('readiness follows the NATS transport', () => {
  it('is not ready while the connection serving requests is away, and ready again once it is back', async () => {
    // The transport on a server of its own, the app's other connection on the shared one: an outage
    // of the first alone is the window after a restart in which the app's own connection is back
    // and the transport's is not yet.
    const transportNats = await PrivateNats.start();
    if (!transportNats.private) {
      console.warn('SKIPPED: no nats-server binary on PATH for a private server');
      return;
    }
    const module = sampleAppModule({ store: 'memory' }, [
      NatsModule.forRoot({ servers: NATS, name: `sample-${run}-own`, connection: identity }),
    ]);
    const app = await startSample(module, (a) =>
      connectNats(a, { servers: transportNats.url, queue: `${queue}-own`, identity }).then(() => undefined),
    );
    try {
      const http = httpClient(await app.getUrl());
      const ready = await http('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.json()).toMatchObject({
        checks: { nats: { status: 'up' }, 'nats-transport': { status: 'up' } },
      });

      await transportNats.halt();
      const away = await http('GET', '/health/ready');
      expect(away.status).toBe(503);
      expect(away.json()).toMatchObject({
        status: 'unavailable',
        checks: { nats: { status: 'up' }, 'nats-transport': { status: 'down' } },
      });

      await transportNats.resume();
      let back = await http('GET', '/health/ready');
      for (let i = 0; i < 100 && back.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 200));
        back = await http('GET', '/health/ready');
      }
      expect(back.status).toBe(200);
    } finally {
      await app.close();
      await transportNats.stop();
    }
  });
});
