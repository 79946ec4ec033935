import { ErrorType, isCommandError, WrongExpectedVersionError } from '@eventstore/db-client';
import { ConcurrencyError, EventStoreUnavailableError, InvalidEventStoreRequestError } from '../errors.js';
import type { ExpectedRevision } from '../event-store.port.js';

/** Our own errors pass through; ESDB client errors become ours, never leaving the adapter. */
export function translate(error: unknown, doing: string, expected?: ExpectedRevision): Error {
  if (
    error instanceof ConcurrencyError ||
    error instanceof EventStoreUnavailableError ||
    error instanceof InvalidEventStoreRequestError
  ) {
    return error;
  }
  if (error instanceof WrongExpectedVersionError) {
    const actual = error.actualVersion;
    return new ConcurrencyError(
      error.streamName,
      expected ?? 'any',
      actual === 'no_stream' || actual === undefined ? 'no_stream' : Number(actual),
    );
  }
  if (error instanceof Error && isCommandError(error)) {
    if (
      error.type === ErrorType.STREAM_DELETED ||
      error.type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED ||
      error.type === ErrorType.INVALID_ARGUMENT
    ) {
      return new InvalidEventStoreRequestError(`EventStoreDB: ${doing}: ${error.message}`);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`EventStoreDB: ${doing} failed: ${message}`, { cause: error });
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND;
}

export async function edge<T>(
  doing: string,
  work: () => Promise<T>,
  expected?: ExpectedRevision,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translate(error, doing, expected);
  }
}
