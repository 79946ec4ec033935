import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JsonLogger } from '../../logging/json-logger.js';
import { createHttpApp, type HttpAppOptions } from '../create-http-app.js';
import { sampleAppModule } from './sample-app.js';

/**
 * The sample app (in-memory idempotency records) served as the services are, on a free loopback
 * port, without the docs UI and logging nothing unless `options.logger` is given.
 */
export function startSampleApp(options: Partial<HttpAppOptions> = {}): Promise<NestFastifyApplication> {
  return createHttpApp(sampleAppModule({ store: 'memory' }), {
    name: 'sample',
    version: '0.0.1',
    port: 0,
    host: '127.0.0.1',
    docsUi: false,
    logger: new JsonLogger({ service: 'sample', write: () => undefined }),
    ...options,
  });
}
