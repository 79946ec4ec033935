import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import { translateRedisError } from '../redis/redis-errors.js';
import { hasStableCode, NetPayError, PLATFORM_ERROR } from './netpay-error.js';

/** RFC 9457 problem details, with our stable `code` and any error details spread in. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  instance?: string;
  [detail: string]: unknown;
}

/** The HTTP status for coded errors of libraries that know nothing of HTTP (exact code, then `AREA.`). */
export type StatusByCode = Readonly<Record<string, number>>;

export const DEFAULT_STATUS_BY_CODE: StatusByCode = {
  'PROTOCOL.': 400,
  'EVENT_STORE.CONCURRENCY': 409,
  'EVENT_STORE.UNAVAILABLE': 503,
  // The event store's leader lease (libs/event-store) lost under a writer: retry at the leader.
  'LEASE.NOT_HELD': 503,
  'REDIS.UNAVAILABLE': 503,
};

/** `code` and status of an error, and whether it is unexpected (logged, message hidden). */
export interface ErrorMapping {
  status: number;
  code: string;
  title: string;
  detail: string;
  details: Readonly<Record<string, unknown>>;
  unexpected: boolean;
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: PLATFORM_ERROR.REQUEST_INVALID,
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: PLATFORM_ERROR.REQUEST_NOT_FOUND,
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  406: 'REQUEST.NOT_ACCEPTABLE',
  408: 'REQUEST.TIMEOUT',
  409: 'REQUEST.CONFLICT',
  413: PLATFORM_ERROR.REQUEST_TOO_LARGE,
  414: 'REQUEST.URI_TOO_LONG',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  422: 'REQUEST.UNPROCESSABLE',
  429: 'REQUEST.RATE_LIMITED',
  431: 'REQUEST.HEADERS_TOO_LARGE',
  503: 'SERVICE.UNAVAILABLE',
  504: 'SERVICE.TIMEOUT',
};

const RESERVED = new Set(['type', 'title', 'status', 'code', 'detail', 'instance']);
const HIDDEN = 'An unexpected error occurred. It has been logged.';

/** Decide what a caller is told about an error. Unknown errors become `INTERNAL` with no internals. */
export function mapError(thrown: unknown, statusByCode: StatusByCode = DEFAULT_STATUS_BY_CODE): ErrorMapping {
  // Redis being away is a 503 with a stable code wherever a Redis call was not translated.
  const error = translateRedisError(thrown, 'request');
  if (error instanceof NetPayError) {
    const title = error.title ?? statusText(error.status);
    const details = error.details ?? {};
    return {
      status: error.status,
      code: error.code,
      title,
      detail: error.message,
      details,
      unexpected: false,
    };
  }
  if (error instanceof HttpException) return fromStatus(error.getStatus(), httpExceptionDetail(error));
  if (hasStableCode(error)) {
    const status = statusFor(error.code, statusByCode);
    return {
      status,
      code: error.code,
      title: statusText(status),
      detail: error.message,
      details: {},
      unexpected: false,
    };
  }
  const clientError = fastifyClientError(error);
  if (clientError) return fromStatus(clientError.statusCode, clientError.message);
  if (clientHungUp(error)) {
    return {
      status: 400,
      code: PLATFORM_ERROR.REQUEST_ABORTED,
      title: statusText(400),
      detail: 'The client closed the connection before its request body had arrived.',
      details: {},
      unexpected: false,
    };
  }
  return {
    status: 500,
    code: PLATFORM_ERROR.INTERNAL,
    title: statusText(500),
    detail: HIDDEN,
    details: {},
    unexpected: true,
  };
}

/** The problem+json body for a mapped error. */
export function toProblem(mapping: ErrorMapping, instance?: string): ProblemBody {
  const extra = Object.fromEntries(Object.entries(mapping.details).filter(([k]) => !RESERVED.has(k)));
  return {
    type: `urn:netpay:error:${mapping.code}`,
    title: mapping.title,
    status: mapping.status,
    code: mapping.code,
    detail: mapping.detail,
    ...(instance === undefined ? {} : { instance }),
    ...extra,
  };
}

function fromStatus(status: number, detail: string): ErrorMapping {
  const code = CODE_BY_STATUS[status] ?? (status < 500 ? 'REQUEST.REJECTED' : PLATFORM_ERROR.INTERNAL);
  const unexpected = status >= 500 && !(status in CODE_BY_STATUS);
  return {
    status,
    code,
    title: statusText(status),
    detail: unexpected ? HIDDEN : detail,
    details: {},
    unexpected,
  };
}

function statusFor(code: string, statusByCode: StatusByCode): number {
  if (statusByCode[code] !== undefined) return statusByCode[code];
  const area = code.slice(0, code.indexOf('.') + 1);
  return statusByCode[area] ?? 422;
}

function httpExceptionDetail(error: HttpException): string {
  const response = error.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : error.message;
}

/** Fastify refuses bodies before Nest runs (too large, bad JSON, unknown media type) with a 4xx. */
function fastifyClientError(error: unknown): { statusCode: number; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  const fromFastify = typeof code === 'string' && code.startsWith('FST_');
  const status = typeof statusCode === 'number' ? statusCode : undefined;
  if (
    status === undefined ||
    status < 400 ||
    status >= 500 ||
    !(fromFastify || error instanceof SyntaxError)
  ) {
    return undefined;
  }
  return { statusCode: status, message: error.message };
}

/**
 * Node's request stream fails with `aborted` (ECONNRESET) when the client hangs up mid-body: the
 * client's doing, not a fault to log as ours. Duck-typed: the error comes from Node's own realm.
 */
function clientHungUp(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === 'ECONNRESET' && message === 'aborted';
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
