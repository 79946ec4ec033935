import type { ExpectedRevision, StreamRevision } from './event-store.port.js';

/** The stream was not at the revision the writer expected: someone else appended first. */
export class ConcurrencyError extends Error {
  readonly code = 'EVENT_STORE.CONCURRENCY';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or `'no_stream'`. */
    readonly actual: StreamRevision | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

/** The store could not be reached or answered with an error that is not a conflict. */
export class EventStoreUnavailableError extends Error {
  readonly code = 'EVENT_STORE.UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailableError';
  }
}

/** The caller asked for something the store cannot do (bad stream name, empty append, …). */
export class InvalidEventStoreRequestError extends Error {
  readonly code = 'EVENT_STORE.INVALID_REQUEST';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventStoreRequestError';
  }
}
