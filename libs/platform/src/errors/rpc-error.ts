import { NetPayError, PLATFORM_ERROR } from './netpay-error.js';
import { type ErrorMapping } from './problem.js';

/**
 * The one envelope of every NATS reply (the contracts' `Reply<T>`): `{ ok: true, value }`, or
 * `{ ok: false, error }` for any refusal — a handler's coded error, a validation failure, a
 * malformed packet, an unexpected error (`INTERNAL`). Nest's own RPC error shape loses codes.
 */
export type RpcReply<T> = { readonly ok: true; readonly value: T } | RpcErrorReply;

export interface RpcErrorReply {
  readonly ok: false;
  readonly error: {
    readonly code: string;
    readonly message: string;
    /** HTTP status the error maps to, so a caller can pass the refusal on unchanged. */
    readonly status: number;
    readonly details?: Readonly<Record<string, unknown>>;
  };
}

export function rpcOk<T>(value: T): RpcReply<T> {
  return { ok: true, value };
}

export function toRpcErrorReply(mapping: ErrorMapping): RpcErrorReply {
  const hasDetails = Object.keys(mapping.details).length > 0;
  return {
    ok: false,
    error: {
      code: mapping.code,
      message: mapping.detail,
      status: mapping.status,
      ...(hasDetails ? { details: { ...mapping.details } } : {}),
    },
  };
}

export function isRpcErrorReply(reply: unknown): reply is RpcErrorReply {
  if (typeof reply !== 'object' || reply === null || (reply as { ok?: unknown }).ok !== false) return false;
  const error = (reply as { error?: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

export interface UnwrapOptions {
  /** Who answered, recorded in the error's details (`remote`). */
  readonly remote?: string;
  /**
   * The status the caller gives a remote code; `undefined` (or no function): the status the reply
   * carries, a remote 5xx other than 503 as 502 (the remote side failed, not the caller's client).
   */
  readonly statusOf?: (code: string) => number | undefined;
}

/**
 * The answer of a reply, or the `NetPayError` the remote side raised. Anything that is not the
 * envelope is a broken peer: `RPC.FAILED` (502).
 */
export function unwrapRpcReply<T>(reply: unknown, options: UnwrapOptions = {}): T {
  if (
    typeof reply === 'object' &&
    reply !== null &&
    (reply as { ok?: unknown }).ok === true &&
    'value' in reply
  )
    return (reply as { value: T }).value;
  if (!isRpcErrorReply(reply)) {
    throw new NetPayError(PLATFORM_ERROR.RPC_FAILED, 'the reply is not a NetPay reply envelope', {
      status: 502,
    });
  }
  const { code, message, status, details } = reply.error;
  throw new NetPayError(code, message, {
    status: options.statusOf?.(code) ?? remoteStatus(status),
    details: { ...details, remote: options.remote ?? true },
  });
}

/**
 * The statuses a remote refusal keeps when passed on: what it says of the request itself (400,
 * 402, 403, 404, 409, 410, 422) or that it is to be retried (503). Anything else — a 401 or 429
 * about the caller's own request to the remote, a remote failure — is the remote's problem: 502.
 */
const PASSED_ON = new Set([400, 402, 403, 404, 409, 410, 422, 503]);

/** The status a remote refusal keeps when passed on (see `PASSED_ON`): NATS replies and HTTP answers alike. */
export function remoteStatus(status: unknown): number {
  return typeof status === 'number' && PASSED_ON.has(status) ? status : 502;
}
