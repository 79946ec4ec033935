import type { Clock } from '#platform';
import { refusal } from './vendor-errors.js';

/** The request header a payer names its deadline with: an ISO 8601 instant (UTC). */
export const DEADLINE_HEADER = 'x-netpay-deadline';

/** Default most time a request may take from its arrival to the append of its spend. */
export const DEFAULT_REQUEST_MAX_AGE_MS = 10_000;

export const DEADLINE = {
  /** The payer's deadline is not an ISO 8601 instant. */
  INVALID: 'REQUEST.DEADLINE_INVALID',
  /** Too late: the payer gave up (or the request waited too long here); nothing was spent. */
  EXCEEDED: 'REQUEST.DEADLINE_EXCEEDED',
} as const;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * When a spend must be recorded by, in milliseconds since the epoch on the vendor's clock: the
 * earlier of the payer's deadline (it stops waiting then, and would never see the receipt) and
 * the request's arrival plus the vendor's maximum age (a process frozen mid-request must not
 * spend for a client that has long gone).
 */
export function requestDeadline(options: {
  readonly header: string | undefined;
  readonly arrivedAt: number;
  readonly maxAgeMs: number;
}): number {
  const own = options.arrivedAt + options.maxAgeMs;
  if (options.header === undefined) return own;
  const payer = ISO_INSTANT.test(options.header) ? Date.parse(options.header) : Number.NaN;
  if (!Number.isFinite(payer)) {
    throw refusal(
      DEADLINE.INVALID,
      `${DEADLINE_HEADER} must be an ISO 8601 instant such as 2026-06-01T12:00:05.000Z`,
    );
  }
  return Math.min(own, payer);
}

/** Whether the deadline has passed (nothing may be appended any more). */
export function pastDeadline(clock: Clock, deadline: number | undefined): boolean {
  return deadline !== undefined && clock.now().getTime() > deadline;
}

/** Checked right before a spend's append: past the deadline nothing is appended. */
export function checkDeadline(clock: Clock, deadline: number | undefined, chainId: string): void {
  if (deadline === undefined) return;
  const now = clock.now().getTime();
  if (now <= deadline) return;
  throw refusal(
    DEADLINE.EXCEEDED,
    `the request's deadline passed ${now - deadline} ms before its spend could be recorded; nothing was spent, retry it`,
    { chainId },
  );
}
