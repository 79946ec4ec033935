import { NetPayError } from '../errors/netpay-error.js';

export const REDIS_UNAVAILABLE = 'REDIS.UNAVAILABLE';

/**
 * Whether an ioredis error says the server could not be reached (rather than refusing a command):
 * the client gave up on the command while reconnecting, refused it because it is not connected
 * (no offline queue once it has been up), the socket closed under it, or no answer came within
 * the command time-out (a hung server: the command may still run when it wakes, so callers treat
 * it as any other outage — retry, idempotently).
 */
export function isRedisConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  // ioredis's own words; a bare socket error (ECONNREFUSED …) may come from any dependency.
  return /^Stream isn't writeable and enableOfflineQueue|^Connection is closed\.?$|^Command timed out$/.test(
    error.message,
  );
}

/** The 503 a caller gets while Redis is away: a stable code, retry later. Other errors pass through. */
export function translateRedisError(error: unknown, doing: string): unknown {
  if (error instanceof NetPayError || !isRedisConnectionError(error)) return error;
  // The client's message stays in the log (cause), not in the answer.
  return new NetPayError(REDIS_UNAVAILABLE, `Redis is unreachable (${doing}); retry later`, {
    status: 503,
    cause: error,
  });
}

/** Runs a Redis call, turning "Redis is away" into REDIS.UNAVAILABLE (503). */
export async function redisEdge<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateRedisError(error, doing);
  }
}
