import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { bearerTokenOf } from '#platform';

/**
 * Customer bearer tokens: `npc.<customerId>.<43 chars of randomness>`. The id part lets the
 * broker find the customer's stream without an index; only the token's SHA-256 is stored.
 */
const TOKEN = /^npc\.([A-Za-z0-9_]{1,64})\.([A-Za-z0-9_-]{43})$/;

export function issueCustomerToken(customerId: string): { token: string; tokenHash: string } {
  const token = `npc.${customerId}.${randomBytes(32).toString('base64url')}`;
  return { token, tokenHash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The customer id a well-formed token names, or undefined. */
export function customerIdOf(token: string): string | undefined {
  return TOKEN.exec(token)?.[1];
}

export function tokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** The token of an `Authorization: Bearer <token>` header. */
export const bearerOf = bearerTokenOf;
