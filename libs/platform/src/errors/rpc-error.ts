import { NetPayError } from './netpay-error.js';
import { type ErrorMapping } from './problem.js';

/** What a NATS handler answers instead of throwing: Nest's own RPC error shape loses codes. */
export interface RpcErrorReply {
  error: {
    code: string;
    message: string;
    /** HTTP status the error maps to, so a caller can pass the refusal on unchanged. */
    status: number;
    details?: Record<string, unknown>;
  };
}

/** A reply of a NATS request: the answer, or a coded error. Answer types must not have an `error` field. */
export type RpcReply<T> = T | RpcErrorReply;

export function toRpcErrorReply(mapping: ErrorMapping): RpcErrorReply {
  const hasDetails = Object.keys(mapping.details).length > 0;
  return {
    error: {
      code: mapping.code,
      message: mapping.detail,
      status: mapping.status,
      ...(hasDetails ? { details: { ...mapping.details } } : {}),
    },
  };
}

export function isRpcErrorReply(reply: unknown): reply is RpcErrorReply {
  if (typeof reply !== 'object' || reply === null || !('error' in reply)) return false;
  const error = reply.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

/** Turn a coded error reply back into the `NetPayError` the remote side raised; pass answers through. */
export function unwrapRpcReply<T>(reply: RpcReply<T>): T {
  if (!isRpcErrorReply(reply)) return reply;
  const { code, message, status, details } = reply.error;
  throw new NetPayError(code, message, {
    status: typeof status === 'number' ? status : 502,
    details: { ...details, remote: true },
  });
}
