import type { ValidationError } from 'class-validator';
import { NetPayError, PLATFORM_ERROR } from './netpay-error.js';

/** One refused field of a request: dotted path (`items.0.price`) and what is wrong with it. */
export interface FieldError {
  field: string;
  messages: string[];
}

/** Flatten class-validator's tree into one entry per refused field. */
export function fieldErrors(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, messages: Object.values(error.constraints) }] : [];
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

/** `ValidationPipe({ exceptionFactory })`: a coded 400 listing every refused field. */
export function validationFailed(errors: ValidationError[]): NetPayError {
  const fields = fieldErrors(errors);
  const summary = fields.map((f) => f.messages.join(', ')).join('; ');
  return new NetPayError(PLATFORM_ERROR.REQUEST_INVALID, `The request is not valid: ${summary}`, {
    status: 400,
    details: { errors: fields },
  });
}
