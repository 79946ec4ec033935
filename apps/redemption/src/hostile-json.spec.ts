import { generateSigningKey } from '#protocol';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemoryEventStore } from '#event-store';
import { createHttpApp, JsonLogger, loadConfig, ManualClock } from '#platform';
import { FUZZ_TIMEOUT_MS, fuzzRoutes } from '../../../libs/platform/src/http/testing/fuzz-routes.js';
import { ChainWorld } from '../test/chain-world.js';
import { RedemptionConfig } from './redemption.config.js';
import { RedemptionModule } from './redemption.module.js';
import { REDEMPTION_STATUS_BY_CODE } from './tokens.js';

const ADMIN = 'operator-token-0123456789';

// Arbitrary JSON at every documented route of the redemption worker: never a 5xx, always
// problem+json with a stable code, and a refused request changes nothing.
describe('redemption worker under hostile JSON (in-memory)', () => {
  const store = new InMemoryEventStore();
  const world = new ChainWorld(store);
  let app: NestFastifyApplication;

  beforeAll(async () => {
    const config = loadConfig(RedemptionConfig, {
      BROKER_PUBLIC_KEYS: world.brokerKeys.map((k) => `${k.keyId}:${k.publicKey}`).join(','),
      ADMIN_TOKEN: ADMIN,
      REDEMPTION_SIGNING_KEY: generateSigningKey('redemption-1').privateKey,
      REDEMPTION_VIEW_STORE: 'memory',
      REDEMPTION_SCHEDULE: 'false',
    });
    const clock = new ManualClock('2026-03-10T13:30:00.000Z');
    app = await createHttpApp(RedemptionModule.forRoot({ config, eventStore: store, clock }), {
      name: 'redemption',
      version: 'test',
      port: 0,
      host: '127.0.0.1',
      docsUi: false,
      logger: new JsonLogger({ service: 'redemption-test', level: 'error', write: () => undefined }),
      statusByCode: REDEMPTION_STATUS_BY_CODE,
    });
  });
  afterAll(() => app.close());

  it(
    'answers every request with < 500, problem+json refusals and no event appended by a refusal',
    async () => {
      const sent = await fuzzRoutes(
        {
          baseUrl: await app.getUrl(),
          headers: () => ({ authorization: `Bearer ${ADMIN}` }),
          eventCount: async () => (await store.readAll()).length,
        },
        40,
      );
      expect(sent).toBeGreaterThan(50);
    },
    FUZZ_TIMEOUT_MS,
  );
});
