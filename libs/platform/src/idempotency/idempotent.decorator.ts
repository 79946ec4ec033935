import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

export const IDEMPOTENT = Symbol.for('netpay.platform.idempotent');
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** 8–255 characters from a URL-safe set: room for a UUID or a ULID, no whitespace or quoting. */
export const IDEMPOTENCY_KEY_FORMAT = /^[A-Za-z0-9_.:-]{8,255}$/;
/** How `@Idempotent()` documents its header (the OpenAPI completion adds its refusals by it). */
export const IDEMPOTENT_HEADER_DESCRIPTION =
  'Unique per operation (a UUID): 8–255 characters of A–Z a–z 0–9 _ . : -. Retrying with the same key and ' +
  'body replays the first answer; another body with the same key is refused (IDEMPOTENCY.KEY_REUSED).';

export interface IdempotentOptions {
  /**
   * `false` for answers that must not be kept at rest, such as a client-side wallet's seeds: the
   * store keeps only that the request succeeded, and a retry with the same key and body runs the
   * route again (which must then be idempotent on its own) instead of replaying it. Refusals are
   * replayed either way. Default `true`.
   */
  readonly storeAnswer?: boolean;
  /**
   * Top-level answer fields that are secrets shown once (a bearer token): never kept at rest, and
   * a replay answers without them, naming them in `withheld` (`{ customerId, withheld: ['token'] }`).
   */
  readonly secretFields?: readonly string[];
  /**
   * What of the body names the operation, for the key's fingerprint (default: all of it). A route
   * whose body carries a signature made afresh for each try (a P2P peer's signed call, with its own
   * nonce) names the operation by the rest, so a retry signed again is the same request. Only with
   * `storeAnswer: false`: the route then runs on every retry and checks the signature itself.
   */
  readonly fingerprint?: (body: unknown) => unknown;
}

/** What `@Idempotent()` records on a route. */
export interface IdempotentRoute {
  readonly storeAnswer: boolean;
  readonly secretFields: readonly string[];
  readonly fingerprint?: (body: unknown) => unknown;
}

/**
 * Marks a mutating route as requiring an `Idempotency-Key` header: a retry with the same key
 * and body gets the first answer again instead of running the command twice. Needs
 * `IdempotencyModule` imported in the app.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator & ClassDecorator {
  const storeAnswer = options.storeAnswer ?? true;
  if (options.fingerprint && storeAnswer) {
    // A kept answer is replayed before the route runs: a body matched in part must not replay it.
    throw new Error('@Idempotent: a fingerprint of part of the body needs storeAnswer: false');
  }
  const route: IdempotentRoute = {
    storeAnswer,
    secretFields: options.secretFields ?? [],
    ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
  };
  return applyDecorators(
    SetMetadata(IDEMPOTENT, route),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description: IDEMPOTENT_HEADER_DESCRIPTION,
    }),
  );
}
