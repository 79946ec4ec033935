import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger } from '../logging/json-logger.js';
import { httpClient } from './testing/http-client.js';
import { Executions } from './testing/sample-app.js';
import { startSampleApp } from './testing/sample-http-app.js';

// The HTTP conventions on 127.0.0.1 with an ephemeral port and the in-memory idempotency store: no servers.
describe('createHttpApp', () => {
  let app: NestFastifyApplication;
  let executions: Executions;
  let http: ReturnType<typeof httpClient>;
  const logLines: string[] = [];

  beforeAll(async () => {
    const logger = new JsonLogger({ service: 'sample', write: (l) => logLines.push(l) });
    app = await startSampleApp({ bodyLimit: 2048, logger });
    executions = app.get(Executions);
    http = httpClient(await app.getUrl());
  });
  afterAll(() => app.close());

  const buy = (body: unknown, headers: Record<string, string> = {}) =>
    http('POST', '/chains', { body, headers });

  describe('errors', () => {
    it('refuses an unknown field with REQUEST.INVALID problem+json listing the field', async () => {
      const res = await buy(
        { coins: 5, currency: 'EUR', admin: true },
        { 'idempotency-key': 'key-unknown-1' },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(res.json()).toMatchObject({
        type: 'urn:netpay:error:REQUEST.INVALID',
        title: 'Bad Request',
        status: 400,
        code: 'REQUEST.INVALID',
        detail: expect.stringContaining('property admin should not exist'),
        instance: '/chains',
        errors: [{ field: 'admin', messages: ['property admin should not exist'] }],
      });
    });

    it('lists every invalid field', async () => {
      const res = await buy({ coins: 0 }, { 'idempotency-key': 'key-invalid-1' });
      const fields = res.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
      expect(fields.sort()).toEqual(['coins', 'currency']);
    });

    it('answers REQUEST.NOT_FOUND for an unknown route', async () => {
      const res = await http('GET', '/nowhere');
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'REQUEST.NOT_FOUND', status: 404 });
    });

    it('answers 405 with Allow for a path that exists under other methods', async () => {
      // An attack probe: PUT /purchases and OPTIONS on existing routes answered 404 "Cannot PUT".
      const put = await http('PUT', '/chains');
      expect(put.status).toBe(405);
      expect(put.headers.get('allow')).toBe('POST');
      expect(put.headers.get('content-type')).toContain('application/problem+json');
      expect(put.json()).toMatchObject({
        code: 'REQUEST.METHOD_NOT_ALLOWED',
        status: 405,
        allowed: ['POST'],
      });
      const deleted = await http('DELETE', '/chains/by-id/c123?x=1');
      expect(deleted.status).toBe(405);
      expect(deleted.headers.get('allow')).toBe('GET, HEAD');
      // A path no route has stays a 404; so does a route's own refusal of a missing resource.
      expect((await http('PUT', '/chains/by-id/c123/more')).status).toBe(404);
      expect((await http('PATCH', '/nowhere')).status).toBe(404);
      // The router does not match a trailing slash: no route has that path, whatever the method.
      expect((await http('GET', '/chains/')).status).toBe(404);
      expect((await http('POST', '/chains/')).status).toBe(404);
      // A route of this method that sends its own not-found (as the docs' static files do) stays a 404.
      const missing = await http('GET', '/chains/files/nonexistent.js');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('allow')).toBeNull();
    });

    it("answers a browser's icon request with 204, not a 404 problem", async () => {
      const res = await http('GET', '/favicon.ico');
      expect(res.status).toBe(204);
      expect(await http('GET', '/favicon.png').then((r) => r.status)).toBe(404);
    });

    it('hides an unexpected error behind INTERNAL and logs it with its stack', async () => {
      const res = await http('GET', '/chains/boom');
      expect(res.status).toBe(500);
      expect(res.json()).toMatchObject({ code: 'INTERNAL', status: 500 });
      expect(res.text).not.toContain('hunter2');
      const logged = logLines
        .map((l) => JSON.parse(l) as Record<string, string>)
        .find((l) => l.level === 'error');
      expect(logged?.message).toContain('GET /chains/boom failed with INTERNAL');
      expect(logged?.stack).toContain('hunter2'); // operators see it, callers do not
    });

    it('bounds the request body (REQUEST.TOO_LARGE) and refuses broken JSON', async () => {
      const large = await buy({ coins: 1, currency: 'x'.repeat(4096) }, { 'idempotency-key': 'key-large-1' });
      expect(large.status).toBe(413);
      expect(large.json()).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
      const broken = await http('POST', '/chains', {
        raw: '{"coins": ',
        headers: { 'idempotency-key': 'key-broken-1' },
      });
      expect(broken.status).toBe(400);
      expect(broken.json()).toMatchObject({ code: 'REQUEST.INVALID' });
    });
  });

  describe('Idempotency-Key', () => {
    it('is required on @Idempotent routes, and must be well-formed', async () => {
      const missing = await buy({ coins: 1, currency: 'EUR' });
      expect(missing.status).toBe(400);
      expect(missing.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REQUIRED' });
      const bad = await buy({ coins: 1, currency: 'EUR' }, { 'idempotency-key': 'has space in it' });
      expect(bad.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_INVALID', status: 400 });
    });

    it('replays the first answer for the same key and body (key order aside), running once', async () => {
      const before = executions.count;
      const first = await buy({ coins: 3, currency: 'EUR' }, { 'idempotency-key': 'key-replay-1' });
      const again = await buy({ currency: 'EUR', coins: 3 }, { 'idempotency-key': 'key-replay-1' });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.json()).toEqual(first.json());
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(executions.count).toBe(before + 1);
    });

    it('refuses the same key with another body (KEY_REUSED)', async () => {
      await buy({ coins: 3, currency: 'EUR' }, { 'idempotency-key': 'key-reuse-1' });
      const other = await buy({ coins: 4, currency: 'EUR' }, { 'idempotency-key': 'key-reuse-1' });
      expect(other.status).toBe(422);
      expect(other.json()).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    });

    it('scopes keys by principal: another caller with the same key runs its own command', async () => {
      const before = executions.count;
      const body = { coins: 2, currency: 'EUR' };
      await buy(body, { 'idempotency-key': 'key-principal-1', authorization: 'Bearer alice' });
      const bob = await buy(body, { 'idempotency-key': 'key-principal-1', authorization: 'Bearer bob' });
      expect(bob.status).toBe(201);
      expect(bob.headers.get('idempotent-replayed')).toBeNull();
      expect(executions.count).toBe(before + 2);
    });

    it('answers IN_PROGRESS to a duplicate arriving while the first still runs', async () => {
      executions.hold();
      const first = buy({ coins: 1, currency: 'EUR' }, { 'idempotency-key': 'key-inflight-1' });
      await executions.entered; // the first holds the key now
      const duplicate = await buy({ coins: 1, currency: 'EUR' }, { 'idempotency-key': 'key-inflight-1' });
      executions.release();
      expect(duplicate.status).toBe(409);
      expect(duplicate.json()).toMatchObject({ code: 'IDEMPOTENCY.IN_PROGRESS' });
      expect(duplicate.headers.get('retry-after')).toBe('1');
      expect((await first).status).toBe(201);
    });

    it('replays a domain refusal instead of re-running it', async () => {
      const before = executions.count;
      const first = await http('POST', '/chains/spend', { headers: { 'idempotency-key': 'key-spend-1' } });
      const again = await http('POST', '/chains/spend', { headers: { 'idempotency-key': 'key-spend-1' } });
      expect(first.json()).toMatchObject({
        code: 'SPEND.PAYWORD_REPLAYED',
        status: 409,
        chainId: 'chain-1',
        index: 3,
      });
      expect(again.json()).toEqual(first.json());
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(executions.count).toBe(before + 1);
    });

    it('does not spend the key on a request that failed validation', async () => {
      const invalid = await buy({ coins: 0, currency: 'EUR' }, { 'idempotency-key': 'key-fixable-1' });
      expect(invalid.status).toBe(400);
      const fixed = await buy({ coins: 1, currency: 'EUR' }, { 'idempotency-key': 'key-fixable-1' });
      expect(fixed.status).toBe(201);
    });
  });

  describe('docs, health, metrics', () => {
    it('serves the OpenAPI document with the Idempotency-Key header', async () => {
      const res = await http('GET', '/docs-json');
      expect(res.status).toBe(200);
      type OpenApi = {
        info: { title: string };
        paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
      };
      const doc = res.json<OpenApi>();
      expect(doc.info.title).toBe('sample');
      expect(doc.paths['/chains']?.post?.parameters?.map((p) => p.name)).toContain('Idempotency-Key');
    });

    it('answers liveness and readiness', async () => {
      expect((await http('GET', '/health')).json()).toEqual({
        status: 'ok',
        service: 'sample',
        version: '0.0.1',
      });
      const ready = await http('GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.json()).toEqual({ status: 'ok', checks: {} });
    });

    it('counts requests by route pattern on /metrics', async () => {
      await http('GET', '/health');
      const res = await http('GET', '/metrics');
      expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      expect(res.text).toMatch(/^http_requests_total\{method="GET",route="\/health",status="200"\} [1-9]/m);
      expect(res.text).toMatch(/^http_requests_total\{method="GET",route="unmatched",status="404"\} [1-9]/m);
    });
  });
});
