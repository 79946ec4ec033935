import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '../http/create-http-app.js';
import { httpClient } from '../http/testing/http-client.js';
import { Executions, sampleAppModule } from '../http/testing/sample-app.js';
import { JsonLogger } from '../logging/json-logger.js';
import type { CompletedRequest } from './idempotency.store.js';
import { InMemoryIdempotencyStore } from './memory-idempotency.store.js';

/** Keeps a copy of everything written to it, to look for secrets at rest. */
class RecordingStore extends InMemoryIdempotencyStore {
  readonly written: CompletedRequest[] = [];

  override complete(key: string, lease: string, result: CompletedRequest, ttlMs: number): Promise<boolean> {
    this.written.push(result);
    return super.complete(key, lease, result, ttlMs);
  }
}

// `@Idempotent({ storeAnswer: false })`: answers holding secrets (wallet seeds) are never kept in
// the idempotency store (Redis in production); a retry runs the route again instead.
describe('an idempotent route whose answer is not stored', () => {
  let app: NestFastifyApplication;
  let executions: Executions;
  let http: ReturnType<typeof httpClient>;
  const store = new RecordingStore();

  beforeAll(async () => {
    app = await createHttpApp(sampleAppModule({ store }), {
      name: 'sample',
      version: '0.0.1',
      port: 0,
      host: '127.0.0.1',
      logger: new JsonLogger({ service: 'sample', write: () => undefined }),
      docsUi: false,
    });
    executions = app.get(Executions);
    http = httpClient(await app.getUrl());
  });
  afterAll(() => app.close());

  const seed = (body: unknown, key: string) =>
    http('POST', '/chains/seed', { body, headers: { 'idempotency-key': key } });

  it('answers a retry by running the route again, and keeps no copy of the answer', async () => {
    const before = executions.count;
    const first = await seed({ coins: 7, currency: 'EUR' }, 'key-secret-1');
    const again = await seed({ coins: 7, currency: 'EUR' }, 'key-secret-1');
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(executions.count - before).toBe(2);
    expect(JSON.stringify(store.written)).not.toContain('secret-seed');
  });

  it('still refuses the key with another body', async () => {
    await seed({ coins: 8, currency: 'EUR' }, 'key-secret-2');
    const other = await seed({ coins: 9, currency: 'EUR' }, 'key-secret-2');
    expect(other.status).toBe(422);
    expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
  });
});
