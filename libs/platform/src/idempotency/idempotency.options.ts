import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { bearerTokenOf } from '../http/bearer-token.js';

export interface IdempotencyOptions {
  /** How long a completed answer is replayed. 24 h when omitted. */
  ttlMs: number;
  /** How long an in-flight request holds its key if its process dies. 30 s when omitted. */
  lockTtlMs: number;
  /**
   * Who is asking: keys are scoped per principal (and route), so two clients choosing the same
   * key never see each other's answers. Default: a hash of the Authorization header.
   */
  principal: (request: FastifyRequest) => string;
  /**
   * When the store cannot be reached: `proceed` runs the command unprotected (it must be
   * idempotent by itself anyway), `reject` answers 503. `proceed` when omitted.
   */
  onStoreFailure: 'proceed' | 'reject';
}

export const IDEMPOTENCY_OPTIONS = Symbol.for('netpay.platform.idempotency-options');

/**
 * The credentials' hash, never the credentials: the scope ends up in store keys and logs. Of a
 * bearer header, the token's: two spellings of one header that authenticate alike are one principal.
 */
export function authorizationPrincipal(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  if (!auth) return 'anonymous';
  // `Bearer <token>` is what a client sends: its scope is the one it had before this rule.
  const token = bearerTokenOf(auth);
  const canonical = token === undefined ? String(auth) : `Bearer ${token}`;
  return `auth:${createHash('sha256').update(canonical).digest('hex')}`;
}

export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = {
  ttlMs: 24 * 60 * 60 * 1000,
  lockTtlMs: 30_000,
  principal: authorizationPrincipal,
  onStoreFailure: 'proceed',
};
