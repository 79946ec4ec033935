import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Observable, of } from 'rxjs';
import { NetPayError, PLATFORM_ERROR } from '../errors/netpay-error.js';
import { IDEMPOTENCY_KEY_FORMAT, IDEMPOTENCY_KEY_HEADER } from './idempotent.decorator.js';
import type { StoredOutcome } from './idempotency.store.js';

/** The Idempotency-Key header, checked: missing → KEY_REQUIRED, malformed → KEY_INVALID (both 400). */
export function readKey(request: FastifyRequest): string {
  const raw = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (raw === undefined || raw === '') {
    throw new NetPayError(
      PLATFORM_ERROR.IDEMPOTENCY_KEY_REQUIRED,
      'This operation needs an Idempotency-Key header.',
      {
        status: 400,
      },
    );
  }
  if (typeof raw !== 'string' || !IDEMPOTENCY_KEY_FORMAT.test(raw)) {
    throw new NetPayError(
      PLATFORM_ERROR.IDEMPOTENCY_KEY_INVALID,
      'Idempotency-Key must be 8–255 characters of A–Z a–z 0–9 _ . : - (a UUID fits).',
      { status: 400 },
    );
  }
  return raw;
}

/** Answer a retry as the first request was answered, marked `Idempotent-Replayed: true`. */
export function replay(
  reply: FastifyReply,
  outcome: Exclude<StoredOutcome, { kind: 'rerun' }>,
): Observable<unknown> {
  void reply.header('idempotent-replayed', 'true');
  if (outcome.kind === 'refusal') {
    const { code, message, status, details } = outcome;
    throw new NetPayError(code, message, { status, details });
  }
  void reply.status(outcome.status);
  if (outcome.body === undefined) return of(undefined);
  const body = JSON.parse(outcome.body) as unknown;
  // Secrets were shown once, to the first answer: the replay says which ones it leaves out.
  return of(outcome.withheld?.length ? { ...(body as object), withheld: outcome.withheld } : body);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
