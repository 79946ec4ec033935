import { ConcurrencyError, InvalidEventStoreRequestError } from '../errors.js';
import type { ExpectedRevision, NewEvent, StreamRevision } from '../event-store.port.js';

/** Stream names double as NATS subject tokens and KV keys, so they are kept to a safe alphabet. */
const STREAM_NAME = /^[A-Za-z0-9_-]{1,200}$/;

export function assertStreamName(stream: string): void {
  if (!STREAM_NAME.test(stream)) {
    throw new InvalidEventStoreRequestError(
      `"${stream}" is not a valid stream name: use 1-200 of A-Z a-z 0-9 _ -`,
    );
  }
}

export function assertAppendable(stream: string, events: readonly NewEvent[]): void {
  assertStreamName(stream);
  if (events.length === 0) throw new InvalidEventStoreRequestError(`append to ${stream}: no events`);
  const ids = new Set<string>();
  for (const e of events) {
    if (!e.id) throw new InvalidEventStoreRequestError(`append to ${stream}: an event has no id`);
    if (ids.has(e.id)) throw new InvalidEventStoreRequestError(`append to ${stream}: event id ${e.id} twice`);
    ids.add(e.id);
    if (!e.type) throw new InvalidEventStoreRequestError(`append to ${stream}: event ${e.id} has no type`);
    assertJson(stream, e);
  }
}

/** Every store keeps data and metadata as JSON: refuse what JSON cannot hold (bigint, cycles) up front. */
function assertJson(stream: string, e: NewEvent): void {
  try {
    JSON.stringify([e.data, e.metadata]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidEventStoreRequestError(
      `append to ${stream}: event ${e.id} is not JSON-serialisable: ${reason}`,
    );
  }
}

/** The category of a stream: the part of its name before the first `-`. */
export function categoryOf(stream: string): string {
  const dash = stream.indexOf('-');
  return dash === -1 ? stream : stream.slice(0, dash);
}

/**
 * Throws a ConcurrencyError unless a stream whose last revision is `last`
 * (undefined: no stream) satisfies `expected`.
 */
export function checkExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  last: StreamRevision | undefined,
): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && last === undefined) ||
    (expected === 'stream_exists' && last !== undefined) ||
    (typeof expected === 'number' && expected === last);
  if (!ok) throw new ConcurrencyError(stream, expected, last ?? 'no_stream');
}

/** Round-trips data through JSON so every adapter stores and returns exactly the same shapes. */
export function jsonCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
