import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Logger,
  type LoggerService,
  NotFoundException,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, of } from 'rxjs';
import {
  DEFAULT_STATUS_BY_CODE,
  type ErrorMapping,
  mapError,
  type StatusByCode,
  toProblem,
} from './problem.js';
import type { RouteMethods } from '../http/route-methods.js';
import { type RpcErrorReply, toRpcErrorReply } from './rpc-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/**
 * The one global filter: HTTP errors become `application/problem+json`, NATS handler errors
 * become an `{ error: { code, message } }` reply. Unexpected errors are logged with their stack
 * and answered as `INTERNAL` without internals.
 */
@Catch()
export class NetPayExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: LoggerService = new Logger('Errors'),
    private readonly statusByCode: StatusByCode = DEFAULT_STATUS_BY_CODE,
    /** The app's routes: a path that exists under other methods is a 405, not a 404. */
    private readonly routes?: RouteMethods,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<RpcErrorReply> | undefined {
    const mapping = mapError(exception, this.statusByCode);
    if (host.getType() === 'rpc') {
      this.report(
        mapping,
        exception,
        `rpc ${String(host.switchToRpc().getContext<{ getSubject?: () => string }>().getSubject?.())}`,
      );
      // A value (not an error) so the caller receives our shape as the reply.
      return of(toRpcErrorReply(mapping));
    }
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    this.report(mapping, exception, `${request.method} ${request.url}`);
    if (reply.sent) return undefined; // a streamed answer failed midway: nothing left to tell the caller
    const allowed = exception instanceof NotFoundException && request.is404 ? this.allowedAt(request) : [];
    const answer = allowed.length > 0 ? methodNotAllowed(request.method, allowed) : mapping;
    if (allowed.length > 0) void reply.header('allow', allowed.join(', '));
    void reply
      .status(answer.status)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(toProblem(answer, request.url)));
    return undefined;
  }

  /**
   * Other methods that answer this path, or none when this method does (a route's own 404, e.g. a
   * static file missing under the docs route, stays a 404; so does HEAD where GET answers).
   */
  private allowedAt(request: FastifyRequest): string[] {
    const allowed = this.routes?.allowed(request.url) ?? [];
    const own = request.method === 'HEAD' ? ['HEAD', 'GET'] : [request.method];
    return allowed.some((m) => own.includes(m)) ? [] : allowed;
  }

  private report(mapping: ErrorMapping, exception: unknown, where: string): void {
    if (mapping.status < 500) return;
    const stack = exception instanceof Error ? exception.stack : String(exception);
    this.logger.error(`${where} failed with ${mapping.code}: ${describe(exception)}`, stack, 'Errors');
  }
}

function describe(exception: unknown): string {
  return exception instanceof Error ? `${exception.name}: ${exception.message}` : String(exception);
}

function methodNotAllowed(method: string, allowed: readonly string[]): ErrorMapping {
  return {
    status: 405,
    code: 'REQUEST.METHOD_NOT_ALLOWED',
    title: 'Method Not Allowed',
    detail: `${method} is not answered here; this path answers ${allowed.join(', ')}`,
    details: { allowed },
    unexpected: false,
  };
}
