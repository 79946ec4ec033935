import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

/** What a bearer token proves: who the customer is. Fixed by `CustomerRegistered`, never changed. */
export interface CustomerIdentity {
  readonly customerId: string;
  readonly name: string;
  readonly bankAccount: string;
  /** SHA-256 of the customer's bearer token. */
  readonly tokenHash: string;
}

/** Identities kept in this process (least recently used out first). */
const KEPT = 50_000;

/**
 * Registered customers' identities, kept once seen. A customer's stream only grows after
 * `CustomerRegistered` (vendors authorised, chains re-issued) and no event changes the name,
 * bank account or token hash, so a kept identity never goes stale and authenticating a request
 * need not read the stream again. Only registered customers are kept: an unknown id is looked up
 * every time. (Should tokens ever be revoked or rotated, this cache must learn of it first.)
 */
@Injectable()
export class CustomerIdentities {
  private readonly kept = new LRUCache<string, CustomerIdentity>({ max: KEPT });

  get(customerId: string): CustomerIdentity | undefined {
    return this.kept.get(customerId);
  }

  remember(identity: CustomerIdentity): void {
    this.kept.set(identity.customerId, identity);
  }
}
