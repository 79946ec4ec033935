import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

export const IDEMPOTENT = Symbol.for('netpay.platform.idempotent');
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** 8–255 characters from a URL-safe set: room for a UUID or a ULID, no whitespace or quoting. */
export const IDEMPOTENCY_KEY_FORMAT = /^[A-Za-z0-9_.:-]{8,255}$/;

/**
 * Marks a mutating route as requiring an `Idempotency-Key` header: a retry with the same key
 * and body gets the first answer again instead of running the command twice. Needs
 * `IdempotencyModule` imported in the app.
 */
export function Idempotent(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description:
        'Unique per operation (a UUID): 8–255 characters of A–Z a–z 0–9 _ . : -. Retrying with the same key and ' +
        'body replays the first answer; another body with the same key is refused (IDEMPOTENCY.KEY_REUSED).',
    }),
  );
}
