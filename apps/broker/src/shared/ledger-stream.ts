import { randomUUID } from 'node:crypto';
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
 * Runs tasks one at a time per key (an account) in this process, in the order they came. Kept
 * by hand: a keyed promise chain is these few lines, and p-limit / p-queue limit concurrency per
 * queue, not per key (one queue per account would be a map of queues to clean up all the same).
 */
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` after every earlier task on the same key; a failed one does not stop the next. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key);
    const result = before === undefined ? task() : before.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
