import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { ConcurrencyError, EventStoreUnavailableError, InvalidEventStoreRequestError } from '../errors.js';

/** Our own errors pass through; anything from the client becomes EventStoreUnavailableError. */
export function translate(error: unknown, doing: string): Error {
  if (
    error instanceof ConcurrencyError ||
    error instanceof EventStoreUnavailableError ||
    error instanceof InvalidEventStoreRequestError
  ) {
    return error;
  }
  const message = error instanceof Error ? error.message : String(error);
  return new EventStoreUnavailableError(`JetStream: ${doing} failed: ${message}`, { cause: error });
}

/** Runs `work`, translating any client error at the edge. */
export async function edge<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translate(error, doing);
  }
}

/**
 * The server refused a publish because the subject's last sequence was not the
 * expected one. Returns the true last sequence when the server said it, else -1.
 */
export function wrongLastSequence(error: unknown): number | undefined {
  if (!(error instanceof JetStreamApiError)) return undefined;
  if (error.code !== JetStreamApiCodes.StreamWrongLastSequence) return undefined;
  const match = /wrong last sequence: (\d+)/.exec(error.message);
  return match ? Number(match[1]) : -1;
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound;
}
