import { type LoggerService } from '@nestjs/common';
import { type IEntryNestModule, NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HttpServiceConfig } from '../config/shared-config.js';
import { NetPayExceptionFilter } from '../errors/netpay-exception.filter.js';
import { DEFAULT_STATUS_BY_CODE, type StatusByCode } from '../errors/problem.js';
import { validationFailed } from '../errors/validation-errors.js';
import { NetPayLogger } from '../logging/netpay-logger.js';
import { logRequests, type RequestObserver } from '../logging/request-log.js';
import { instrumentHttp } from '../metrics/http-metrics.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { traceHttp, traceOfRequest } from '../tracing/http-tracing.js';
import { setupApiDocs } from './api-docs.js';
import { answerClientError, answerFrameworkError, refuseMissingHost } from './framework-errors.js';
import { useJsonBodyParser } from './json-body.js';
import { NetPayValidationPipe } from './validation.pipe.js';
import { RouteMethods } from './route-methods.js';

/**
 * The HTTP settings of a service's configuration (`HOST`, `PORT`, `HTTP_BODY_LIMIT`,
 * `HTTP_REQUEST_TIMEOUT`), to spread
 * into `createHttpApp`'s options.
 */
export function httpOptionsOf(
  config: HttpServiceConfig,
): Pick<HttpAppOptions, 'port' | 'host' | 'bodyLimit' | 'requestTimeout'> {
  return {
    port: config.port,
    host: config.host,
    bodyLimit: config.httpBodyLimit,
    requestTimeout: config.httpRequestTimeoutMs,
  };
}

/** `HTTP_REQUEST_TIMEOUT`'s default: a request (headers and body) must have arrived within it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface HttpAppOptions {
  name: string;
  version: string;
  /** One paragraph for the API document. */
  description?: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** `0.0.0.0` when omitted (containers). */
  host?: string;
  /** Swagger UI here and the OpenAPI JSON at `<docsPath>-json`; `false` serves neither. */
  docsPath?: string | false;
  /**
   * Serve the Swagger UI page (`true` when omitted). Its assets come through `@fastify/static`,
   * which jest's module loader cannot load (an ESM-only dependency): jest tests pass `false`
   * and still get `<docsPath>-json`.
   */
  docsUi?: boolean;
  /** Largest accepted request body in bytes (`HTTP_BODY_LIMIT`); 64 KiB when omitted (our commands are small). */
  bodyLimit?: number;
  /**
   * Milliseconds for a whole request (headers and body) to arrive (`HTTP_REQUEST_TIMEOUT`), else
   * 408 and the connection closes; 30 s when omitted. Fastify's own default is 0 (no limit, which
   * also turns off Node's): a client trickling a body byte by byte would hold a connection for ever.
   */
  requestTimeout?: number;
  /**
   * `NetPayLogger.fromEnv(name)` (pino; `LOG_FORMAT`, `LOG_LEVEL`) when omitted. With a
   * `NetPayLogger`, every answered request is logged as one line (see `logRequests`).
   */
  logger?: LoggerService;
  /** HTTP status of coded library errors, on top of `DEFAULT_STATUS_BY_CODE`. */
  statusByCode?: StatusByCode;
  /** Runs after the global pipe, filter and docs are set, before listening (e.g. `connectNats`). */
  configure?: (app: NestFastifyApplication) => void | Promise<void>;
  /** `false` to get the configured app without listening (tests using `inject`). */
  listen?: boolean;
}

/**
 * A NestJS app on Fastify with NetPay's conventions: strict DTO validation, problem+json errors
 * with stable codes, OpenAPI at `/docs`, HTTP metrics, graceful shutdown on SIGTERM/SIGINT, a
 * bounded request body (size and JSON depth), and one start-up line with the URL.
 */
export async function createHttpApp(
  module: IEntryNestModule,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const logger = options.logger ?? NetPayLogger.fromEnv(options.name);
  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // The request log and the HTTP metrics, for the answers the router gives before any route hook.
  const observers: RequestObserver[] = [];
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    requestTimeout,
    // Given to Node's server at construction too: Fastify only assigns `server.requestTimeout`
    // afterwards, and Node 24 then never times a slow body out (seen: a body trickling in at 4
    // bytes/s stayed open until it was complete). Node checks open requests every
    // `connectionsCheckingInterval` (30 s by default): a quarter of the limit, from 250 ms to 30 s.
    http: {
      requestTimeout,
      connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(requestTimeout / 4))),
      // Node's own refusal is a bare 400: `refuseMissingHost` answers with problem+json instead.
      requireHostHeader: false,
    },
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const started = performance.now();
      for (const o of observers) o.begin?.(request, reply);
      reply.raw.once('finish', () => {
        for (const o of observers) o.end(request, reply, performance.now() - started);
      });
      answerFrameworkError(error, request, reply);
    },
    clientErrorHandler: answerClientError,
  });
  // abortOnError false: a failing bootstrap throws to the caller (which logs it and exits 1)
  // instead of aborting the process; never silence the logger, it is how such errors show.
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger,
    abortOnError: false,
    return503OnClosing: true,
  });
  app.useGlobalPipes(
    new NetPayValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationFailed,
    }),
  );
  // Before any route is registered (Nest registers them at init): the filter's table of methods.
  const routes = RouteMethods.attach(app.getHttpAdapter().getInstance());
  app.useGlobalFilters(
    new NetPayExceptionFilter(logger, { ...DEFAULT_STATUS_BY_CODE, ...options.statusByCode }, routes),
  );
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  useJsonBodyParser(app);
  refuseMissingHost(app.getHttpAdapter().getInstance());
  // Browsers ask every origin for its icon: without this, each page of ours put a 404 problem in
  // the browser's console and the request log. No icon, and nothing wrong: 204.
  app
    .getHttpAdapter()
    .getInstance()
    .get('/favicon.ico', (_request, reply) => reply.code(204).send());
  traceHttp(app.getHttpAdapter().getInstance(), options.name);
  if (logger instanceof NetPayLogger) {
    observers.push(logRequests(app.getHttpAdapter().getInstance(), logger, { traceOf: traceOfRequest }));
    // Nest ends the process with the signal itself after closing (no `exit` event): write the
    // buffered log lines first.
    app
      .getHttpAdapter()
      .getInstance()
      .addHook('onClose', (_instance, done) => {
        logger.flush();
        done();
      });
  }
  const metrics = optionalGet(app, MetricsService);
  if (metrics) observers.push(instrumentHttp(app.getHttpAdapter().getInstance(), metrics));
  const docsPath = options.docsPath ?? '/docs';
  if (docsPath !== false) setupApiDocs(app, { ...options, docsPath, ui: options.docsUi ?? true });
  await options.configure?.(app);
  if (options.listen === false) {
    await app.init();
    return app;
  }
  await app.listen(options.port, options.host ?? '0.0.0.0');
  const url = await app.getUrl();
  const docs = docsPath === false ? '' : ` (API docs ${url}${docsPath})`;
  logger.log(`${options.name} ${options.version} listening on ${url}${docs}`, 'Bootstrap');
  return app;
}

function optionalGet<T>(app: NestFastifyApplication, token: new (...args: never[]) => T): T | undefined {
  try {
    return app.get(token, { strict: false });
  } catch {
    return undefined; // the app does not import that module
  }
}
