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
}

/** What `@Idempotent()` records on a route. */
export interface IdempotentRoute {
  readonly storeAnswer: boolean;
  readonly secretFields: readonly string[];
}

/**
 * Marks a mutating route as requiring an `Idempotency-Key` header: a retry with the same key
 * and body gets the first answer again instead of running the command twice. Needs
 * `IdempotencyModule` imported in the app.
 */
export function Idempotent(options: IdempotentOptions = {}): MethodDecorator & ClassDecorator {
  const route: IdempotentRoute = {
    storeAnswer: options.storeAnswer ?? true,
    secretFields: options.secretFields ?? [],
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
