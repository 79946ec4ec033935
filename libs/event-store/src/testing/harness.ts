import { randomUUID } from 'node:crypto';
import type { EventStore, NewEvent } from '../event-store.port.js';

/** One isolated backend for one contract test. */
export interface EventStoreContractSubject {
  readonly store: EventStore;
  /** A new store instance over the same data, as after a process restart (the old one may be closed). */
  readonly restart: () => Promise<EventStore>;
  /** Closes every instance and removes what the test wrote where the backend allows it. */
  readonly dispose: () => Promise<void>;
}

export type EventStoreContractFactory = () => Promise<EventStoreContractSubject>;

/** A stream name no other test (or test run) uses. */
export function uniqueStream(category: string): string {
  return `${category}-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** A name no other test run uses, for categories and event types: `<base>_<8 hex>`. */
export function uniqueName(base: string): string {
  return `${base}_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

export function anEvent(type: string, data: unknown = { n: 1 }, id: string = randomUUID()): NewEvent {
  return {
    id,
    type,
    version: 1,
    data,
    metadata: { correlationId: 'corr-1', causationId: 'cause-1', actor: 'test' },
  };
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
