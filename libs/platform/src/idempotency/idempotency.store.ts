/** What the first execution answered, kept so that a retry gets the same answer. */
export type StoredOutcome =
  | {
      kind: 'response';
      status: number;
      /** JSON text of the body; absent when the handler returned nothing. */ body?: string;
      /** Secret fields left out of `body` (shown once): a replay names them instead. */
      withheld?: string[];
    }
  | { kind: 'refusal'; status: number; code: string; message: string; details?: Record<string, unknown> }
  /** It succeeded with an answer not to be kept (`storeAnswer: false`): a retry runs it again. */
  | { kind: 'rerun'; status: number };

export interface CompletedRequest {
  fingerprint: string;
  outcome: StoredOutcome;
}

export type BeginResult =
  /** This request owns the key: run it, then `complete` or `release` with the lease. */
  | { state: 'acquired'; lease: string }
  /** Another request with this key is running now. */
  | { state: 'in_progress'; fingerprint: string }
  | { state: 'completed'; fingerprint: string; outcome: StoredOutcome };

/**
 * Where Idempotency-Key records live. `begin` must be atomic: of two concurrent calls with the
 * same key exactly one is `acquired`. The in-flight record expires after `lockTtlMs` so that a
 * crashed process does not block the key forever.
 *
 * This is the fast path only. A store can lose records (Redis restart, eviction), so every
 * command must ALSO be idempotent on its own, through deterministic event ids and the event
 * store's expected revisions: a lost record must never double-charge, only cost a re-run.
 */
export interface IdempotencyStore {
  begin(key: string, fingerprint: string, lockTtlMs: number): Promise<BeginResult>;
  /**
   * Record the outcome for `ttlMs`. `false` when the lease was lost to another request (then
   * nothing is written); written anyway when the lock merely expired and nobody took the key.
   */
  complete(key: string, lease: string, result: CompletedRequest, ttlMs: number): Promise<boolean>;
  /** Give the key up without an outcome (the request failed unexpectedly; a retry may run). */
  release(key: string, lease: string): Promise<void>;
}

/** Nest injection token for the `IdempotencyStore`. */
export const IDEMPOTENCY_STORE = Symbol.for('netpay.platform.idempotency-store');

/** The value kept under a key, as both adapters store it. */
export type IdempotencyRecord =
  | { state: 'in_progress'; fingerprint: string; lease: string }
  | { state: 'completed'; fingerprint: string; outcome: StoredOutcome };
