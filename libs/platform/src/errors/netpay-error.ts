export interface NetPayErrorOptions {
  /** HTTP status the error maps to (400 when omitted: the request was refused). */
  status?: number;
  /** Short human summary; the HTTP status text when omitted. */
  title?: string;
  /** Extra machine-readable fields, spread into the problem body (`{ chainId, index }`). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A refusal with a stable machine-readable `code` (`AREA.REASON`, e.g. `SPEND.PAYWORD_REPLAYED`)
 * and a message a client developer can act on. Its message is shown to callers: keep secrets,
 * stack traces and customer identity out of it.
 */
export class NetPayError extends Error {
  readonly status: number;
  readonly title: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    readonly code: string,
    message: string,
    options: NetPayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NetPayError';
    this.status = options.status ?? 400;
    this.title = options.title;
    this.details = options.details;
  }
}

/** Codes the platform itself answers with. */
export const PLATFORM_ERROR = {
  REQUEST_INVALID: 'REQUEST.INVALID',
  REQUEST_NOT_FOUND: 'REQUEST.NOT_FOUND',
  REQUEST_TOO_LARGE: 'REQUEST.TOO_LARGE',
  /** JSON nested deeper than the platform accepts (`MAX_JSON_DEPTH`). */
  REQUEST_TOO_DEEP: 'REQUEST.TOO_DEEP',
  /** The client hung up before its request body had arrived (nobody reads the answer). */
  REQUEST_ABORTED: 'REQUEST.ABORTED',
  INTERNAL: 'INTERNAL',
  IDEMPOTENCY_KEY_REQUIRED: 'IDEMPOTENCY.KEY_REQUIRED',
  IDEMPOTENCY_KEY_INVALID: 'IDEMPOTENCY.KEY_INVALID',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY.KEY_REUSED',
  IDEMPOTENCY_IN_PROGRESS: 'IDEMPOTENCY.IN_PROGRESS',
  RPC_TIMEOUT: 'RPC.TIMEOUT',
  RPC_NO_RESPONDERS: 'RPC.NO_RESPONDERS',
  RPC_FAILED: 'RPC.FAILED',
  /** The NATS connection is down (reconnecting): a request could not even be sent. */
  NATS_UNAVAILABLE: 'NATS.UNAVAILABLE',
} as const;

/**
 * `422 IDEMPOTENCY.KEY_REUSED`: the key was used for another operation. One answer wherever a
 * route or handler finds it out (the interceptor, or a handler idempotent by the key itself).
 */
export function idempotencyKeyReused(
  detail = 'This Idempotency-Key was already used with another request body; use a new key for a new operation.',
): NetPayError {
  return new NetPayError(PLATFORM_ERROR.IDEMPOTENCY_KEY_REUSED, detail, { status: 422 });
}

/** A `code` shaped like ours (`AREA.REASON`), as carried by errors of the pure libraries. */
export function hasStableCode(error: unknown): error is Error & { code: string } {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(code);
}
