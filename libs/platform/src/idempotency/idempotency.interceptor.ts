import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  Logger,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { catchError, concatMap, type Observable } from 'rxjs';
import { idempotencyKeyReused, NetPayError, PLATFORM_ERROR } from '../errors/netpay-error.js';
import { mapError } from '../errors/problem.js';
import { canonicalJson } from './canonical-json.js';
import { IDEMPOTENT, type IdempotentRoute } from './idempotent.decorator.js';
import { readKey, replay, sha256 } from './idempotency.request.js';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions } from './idempotency.options.js';
import { IDEMPOTENCY_STORE, type IdempotencyStore, type StoredOutcome } from './idempotency.store.js';
import { storesRefusal } from './stored-refusals.js';
import { withoutSecrets } from './withheld-secrets.js';

/**
 * Runs an `@Idempotent()` route at most once per (route, principal, Idempotency-Key): a retry
 * with the same body replays the first answer (header `Idempotent-Replayed: true`), another
 * body is refused with 422, a concurrent duplicate with 409.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly reflector: Reflector,
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const marked = this.reflector.getAllAndOverride<IdempotentRoute | undefined>(IDEMPOTENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!marked) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const idempotencyKey = readKey(request);
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const key = sha256(`${route}\n${this.options.principal(request)}\n${idempotencyKey}`);
    const body = marked.fingerprint ? marked.fingerprint(request.body) : request.body;
    const fingerprint = sha256(`${request.method} ${request.url}\n${canonicalJson(body ?? null)}`);

    let begun;
    try {
      begun = await this.store.begin(key, fingerprint, this.options.lockTtlMs);
    } catch (e) {
      return this.storeDown(e, next);
    }
    if (begun.state !== 'acquired' && begun.fingerprint !== fingerprint) {
      throw idempotencyKeyReused();
    }
    if (begun.state === 'in_progress') {
      void reply.header('retry-after', '1');
      throw new NetPayError(
        PLATFORM_ERROR.IDEMPOTENCY_IN_PROGRESS,
        'A request with this Idempotency-Key is still running; retry shortly to get its answer.',
        { status: 409 },
      );
    }
    if (begun.state === 'completed') {
      if (begun.outcome.kind !== 'rerun') return replay(reply, begun.outcome);
      // The answer was not kept: the route answers the retry again (it is idempotent on its own).
      void reply.header('idempotent-replayed', 'true');
      return next.handle();
    }

    const { lease } = begun;
    return next.handle().pipe(
      concatMap(async (body: unknown) => {
        // An answer not to be kept (a client-side wallet's seeds) is not even encoded.
        const outcome: StoredOutcome = !marked.storeAnswer
          ? { kind: 'rerun', status: reply.statusCode }
          : body === undefined
            ? { kind: 'response', status: reply.statusCode }
            : { kind: 'response', status: reply.statusCode, ...withoutSecrets(body, marked.secretFields) };
        await this.finish(key, lease, fingerprint, outcome);
        return body;
      }),
      catchError(async (error: unknown) => {
        const mapping = mapError(error);
        if (storesRefusal(mapping)) {
          const { status, code, detail: message, details } = mapping;
          await this.finish(key, lease, fingerprint, {
            kind: 'refusal',
            status,
            code,
            message,
            details: { ...details },
          });
        } else await this.store.release(key, lease).catch((e: unknown) => this.warn('release', e));
        throw error;
      }),
    );
  }

  private async finish(
    key: string,
    lease: string,
    fingerprint: string,
    outcome: StoredOutcome,
  ): Promise<void> {
    // The command already ran: a store failure here must not turn its success into an error.
    await this.store
      .complete(key, lease, { fingerprint, outcome }, this.options.ttlMs)
      .catch((e: unknown) => this.warn('complete', e));
  }

  private storeDown(error: unknown, next: CallHandler): Observable<unknown> {
    this.warn('begin', error);
    if (this.options.onStoreFailure === 'proceed') return next.handle();
    throw new NetPayError(
      'IDEMPOTENCY.UNAVAILABLE',
      'Idempotency records cannot be checked now; retry later.',
      {
        status: 503,
      },
    );
  }

  private warn(step: string, error: unknown): void {
    this.logger.warn(
      `idempotency store ${step} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
