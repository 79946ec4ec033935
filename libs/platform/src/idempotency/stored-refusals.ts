import type { ErrorMapping } from '../errors/problem.js';

// Refusals of the request's shape, credentials or transient state: no command ran, so the key
// stays free and the client may fix the request and retry with it.
const NOT_STORED_AREAS = ['REQUEST.', 'AUTH.', 'IDEMPOTENCY.', 'EVENT_STORE.', 'RPC.', 'SERVICE.'];

/**
 * Whether a refusal is the operation's answer (a domain decision such as
 * `SPEND.PAYWORD_REPLAYED` or a declined payment) and so is replayed to retries.
 * Unexpected errors and transient refusals (408, 429, 5xx) release the key instead.
 */
export function storesRefusal(mapping: ErrorMapping): boolean {
  if (mapping.unexpected || mapping.status < 400 || mapping.status >= 500) return false;
  if (mapping.status === 408 || mapping.status === 429) return false;
  return !NOT_STORED_AREAS.some((area) => mapping.code.startsWith(area));
}
