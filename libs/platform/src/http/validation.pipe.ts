import { type ArgumentMetadata, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { NetPayError, PLATFORM_ERROR } from '../errors/netpay-error.js';

const NOT_DTOS = new Set<unknown>([String, Number, Boolean, Array, Object, Buffer]);

/**
 * Nest's ValidationPipe, with one rule first: a body bound to a DTO class must be a JSON object.
 * Nest turns a `null` body into `{}` before validating it, so `null` (or a bare array, string or
 * number) would pass as a request with every optional field left out. An absent body (no
 * content) is still validated as `{}`.
 */
export class NetPayValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = typeof metadata.metatype === 'function' && !NOT_DTOS.has(metadata.metatype);
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (metadata.type === 'body' && isDto && value !== undefined && !isObject) {
      throw new NetPayError(
        PLATFORM_ERROR.REQUEST_INVALID,
        `The request body must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}.`,
        { status: 400 },
      );
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}
