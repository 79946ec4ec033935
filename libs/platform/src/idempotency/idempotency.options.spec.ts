import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { FastifyRequest } from 'fastify';
import { authorizationPrincipal } from './idempotency.options.js';

const asking = (authorization?: string): FastifyRequest =>
  ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as FastifyRequest;

describe('the idempotency principal', () => {
  it('is one principal for every spelling of a header that authenticates as one bearer token', () => {
    const plain = authorizationPrincipal(asking('Bearer tok-123'));
    expect(authorizationPrincipal(asking(' Bearer tok-123\t'))).toBe(plain);
    // The scope a client's `Bearer <token>` had before: records written then still answer.
    expect(plain).toBe(`auth:${createHash('sha256').update('Bearer tok-123').digest('hex')}`);
    expect(authorizationPrincipal(asking('Bearer tok-124'))).not.toBe(plain);
  });

  it('keeps other credentials apart, and names nobody without them', () => {
    expect(authorizationPrincipal(asking('Basic dXNlcjpwdw=='))).toMatch(/^auth:[0-9a-f]{64}$/);
    expect(authorizationPrincipal(asking('Basic dXNlcjpwdw=='))).not.toBe(
      authorizationPrincipal(asking('Basic dXNlcjpwdx==')),
    );
    expect(authorizationPrincipal(asking())).toBe('anonymous');
  });
});
