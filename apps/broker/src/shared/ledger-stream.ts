import { randomUUID } from 'node:crypto';
import AsyncLock from 'async-lock';
import type { EventStore, ExpectedRevision } from '#event-store';

/**
 * Appends one event to a money ledger's stream (the simulated bank's `bankaccount-…`, the operator
 * billing's `opaccount-…`) after `expectedRevision`, under a fresh id that is also its correlation
 * and causation id; answers its revision. A lost race is the store's `ConcurrencyError`: each
 * ledger decides again on what came in.
 */
export async function appendLedgerEvent(
  store: Pick<EventStore, 'appendToStream'>,
  stream: string,
  event: { readonly type: string; readonly data: unknown },
  actor: string,
  expectedRevision: ExpectedRevision,
): Promise<number> {
  const id = randomUUID();
  const appended = await store.appendToStream(
    stream,
    [
      {
        id,
        type: event.type,
        version: 1,
        data: event.data,
        metadata: { actor, correlationId: id, causationId: id },
      },
    ],
    { expectedRevision },
  );
  return appended.nextExpectedRevision;
}

/**
 * Runs tasks one at a time per key (an account) in this process, in the order they came; a failed
 * task does not stop the next. async-lock (MIT), with no bound on the waiting tasks (its default of
 * 1,000 would refuse work the ledgers always took).
 */
export class PerKeyQueue {
  private readonly lock = new AsyncLock({ maxPending: Infinity });

  /** Runs `task` after every earlier task on the same key. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return this.lock.acquire(key, task);
  }
}
