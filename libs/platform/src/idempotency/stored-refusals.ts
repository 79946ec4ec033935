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
  // 401: the request did not prove who sent it (a missing or forged signature, a replayed call):
  // no command ran for anyone, and recording it would let a stranger who learnt a key answer the
  // sender's own retry with that refusal.
  if (mapping.status === 401 || mapping.status === 408 || mapping.status === 429) return false;
  return !NOT_STORED_AREAS.some((area) => mapping.code.startsWith(area));
}
