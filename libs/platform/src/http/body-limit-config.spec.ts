import { afterEach, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../config/load-config.js';
import { ServiceConfig } from '../config/shared-config.js';
import { JsonLogger } from '../logging/json-logger.js';
import { createHttpApp, httpOptionsOf } from './create-http-app.js';
import { httpClient } from './testing/http-client.js';
import { sampleAppModule } from './testing/sample-app.js';

/** HTTP_BODY_LIMIT reaches the server: the same body is refused or accepted by the variable alone. */
describe('HTTP_BODY_LIMIT', () => {
  let app: NestFastifyApplication | undefined;
  afterEach(() => app?.close());

  async function post(
    env: Record<string, string>,
    bytes: number,
  ): Promise<{ status: number; code?: string }> {
    const config = loadConfig(ServiceConfig, env);
    app = await createHttpApp(sampleAppModule({ store: 'memory' }), {
      name: 'sample',
      version: '0.0.1',
      ...httpOptionsOf(config),
      port: 0,
      host: '127.0.0.1',
      logger: new JsonLogger({ service: 'sample', write: () => undefined }),
      docsPath: false,
    });
    const payload = JSON.stringify({ coins: 1, currency: 'EUR', pad: 'x'.repeat(bytes) });
    const res = await httpClient(await app.getUrl())('POST', '/chains', {
      raw: payload,
      headers: { 'idempotency-key': `key-limit-${bytes}` },
    });
    const body = res.json<{ code?: string }>();
    await app.close();
    app = undefined;
    return { status: res.status, ...(body.code ? { code: body.code } : {}) };
  }

  it('is read by ServiceConfig with a 64 KiB default and bounds', () => {
    expect(loadConfig(ServiceConfig, {}).httpBodyLimit).toBe(65_536);
    expect(loadConfig(ServiceConfig, { HTTP_BODY_LIMIT: '2048' }).httpBodyLimit).toBe(2048);
    expect(() => loadConfig(ServiceConfig, { HTTP_BODY_LIMIT: '10' })).toThrow(
      /HTTP_BODY_LIMIT: must not be less than 1024/,
    );
  });

  it('refuses a body over the configured limit with 413 REQUEST.TOO_LARGE', async () => {
    expect(await post({ HTTP_BODY_LIMIT: '2048' }, 4096)).toEqual({ status: 413, code: 'REQUEST.TOO_LARGE' });
  });

  it('lets a larger limit accept what the default refuses', async () => {
    expect(await post({}, 80_000)).toEqual({ status: 413, code: 'REQUEST.TOO_LARGE' });
    // Past the body limit the request reaches validation, which refuses the unknown field instead.
    expect(await post({ HTTP_BODY_LIMIT: '200000' }, 80_000)).toEqual({
      status: 400,
      code: 'REQUEST.INVALID',
    });
  });
});
