import type { ExecutionContext } from '@nestjs/common';
import type { NatsContext } from '@nestjs/microservices';

/** The NATS header a requester names its deadline with: an ISO 8601 instant (as over HTTP). */
export const NATS_DEADLINE_HEADER = 'x-netpay-deadline';

/**
 * Whether a NATS request's deadline has passed: its requester stopped waiting, so working on it
 * is wasted, and under a backlog (a broker catching up after an outage, with vendors retrying
 * every request) it is worse: stale requests delay the fresh ones past their own deadlines, and
 * the broker never catches up. A request without a (valid) deadline is never expired.
 */
export function requestExpired(context: ExecutionContext, now: number): boolean {
  if (context.getType() !== 'rpc') return false;
  const nats = context.switchToRpc().getContext<NatsContext | undefined>();
  const headers = (nats?.getHeaders?.() ?? undefined) as { get(name: string): string } | undefined;
  const raw = headers?.get(NATS_DEADLINE_HEADER);
  if (!raw) return false;
  const deadline = Date.parse(raw);
  return Number.isFinite(deadline) && now > deadline;
}
