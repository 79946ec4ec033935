import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { PROTOCOL, ProtocolError } from './errors.js';

/** How far a signed request's `at` may be from the receiver's clock, either way (default). */
export const DEFAULT_FRESHNESS_WINDOW_MS = 60_000;

/** Random bytes of a request nonce: 128 bits, so two honest requests never share one. */
export const NONCE_BYTES = 16;

/**
 * Whether `at` (a checked timestamp) lies within `windowMs` of `now`, either
 * way: a request signed too long ago (or for the future) is refused, so a
 * replay only has the window to work in and a bounded nonce cache covers it.
 */
export function isFresh(at: string, now: Date | string, windowMs: number): boolean {
  const nowMs = typeof now === 'string' ? Date.parse(now) : now.getTime();
  if (!Number.isFinite(nowMs)) throw new ProtocolError(PROTOCOL.BAD_ARGUMENT, 'now', 'not a time');
  return Math.abs(nowMs - Date.parse(at)) <= windowMs;
}

/** A fresh random nonce (hex) for a signed request. */
export function newNonce(randomBytes: (size: number) => Uint8Array = nodeRandomBytes): string {
  return Buffer.from(randomBytes(NONCE_BYTES)).toString('hex');
}

/**
 * The nonces seen within the freshness window, so a captured request cannot be
 * played again while it is still fresh. Bounded: past `capacity` the oldest
 * entry is forgotten, and from then on anything signed at or before it is
 * refused too (it might be the forgotten one), so forgetting never opens a
 * replay. Entries leave once their request would be stale anyway.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  /** Requests signed at or before this time (ms) are refused: their nonce may have been forgotten. */
  private floor = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly capacity = 100_000,
  ) {}

  /** True the first time `nonce` (of a request signed `at`) is offered, false for a replay. */
  // Not an LRU cache: evicting the oldest nonce also raises the floor below which any request is
  // refused, so an evicted nonce can never be replayed; lru-cache has no such hook on eviction order.
  firstUse(nonce: string, at: string, now: Date): boolean {
    const atMs = Date.parse(at);
    this.expire(now.getTime());
    if (atMs <= this.floor || this.seen.has(nonce)) return false;
    if (this.seen.size >= this.capacity) {
      const [oldest, oldestAt] = this.seen.entries().next().value!;
      this.seen.delete(oldest);
      this.floor = Math.max(this.floor, oldestAt);
      if (atMs <= this.floor) return false;
    }
    this.seen.set(nonce, atMs);
    return true;
  }

  private expire(nowMs: number): void {
    // Insertion order is close to time order; stop at the first entry still inside the window.
    for (const [nonce, atMs] of this.seen) {
      if (nowMs - atMs <= this.windowMs) break;
      this.seen.delete(nonce);
    }
  }
}
