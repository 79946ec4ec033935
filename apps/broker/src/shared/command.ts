import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type GlobalPosition,
  type RecordedEvent,
} from '#event-store';
import { decode, deterministicEventId, type NetPayEvent, type StoredEvent, toNewEvent } from '#events';

/** What a decision appends (maybe nothing: a retried command that already took effect) and answers. */
export interface Decided<E extends NetPayEvent, R> {
  readonly events: readonly E[];
  readonly result: R;
}

export interface StreamCommand<S, E extends NetPayEvent, R> {
  readonly stream: string;
  readonly initial: S;
  readonly evolve: (state: S, event: StoredEvent) => S;
  /** Pure decision on the folded state; throws a coded error to refuse. */
  readonly decide: (state: S) => Decided<E, R>;
  readonly metadata: EventMetadata;
  /** Deterministic ids make a retried append idempotent; random when omitted. */
  readonly eventId?: (event: E, index: number) => string;
  /**
   * The stream is expected not to exist yet (its id was just derived for a new decision): the
   * first attempt decides on `initial` and appends with `no_stream` without reading the stream;
   * a conflict falls back to reading it and deciding again. Only with ids that differ whenever
   * the event does (random ones, or `contentEventId`): a duplicate id must mean the very same
   * event is already stored, never another decision taken under the same name.
   */
  readonly assumeNew?: boolean;
  readonly maxAttempts?: number;
  /** Signs each decided event for the revision it will take (chain streams: the broker's signature). */
  readonly seal?: (event: E, revision: number) => E;
  /** Which recorded events the fold may believe (chain streams: broker-typed ones must verify). */
  readonly admit?: (recorded: RecordedEvent) => boolean;
}

export interface CommandOutcome<R> {
  readonly result: R;
  /** Global position of the last appended event (undefined when nothing was appended). */
  readonly position: GlobalPosition | undefined;
}

/**
 * The command handler: read the stream → fold → decide → append with the expected revision
 * (`no_stream` for a new stream). Retries only on a `ConcurrencyError`: it reads the events
 * appended since (the stream's tail, not the whole stream again), folds them on and decides
 * again, so a concurrent writer's events are decided upon, never overwritten, and a command wins
 * its place against a writer that keeps appending (a vendor spending a chain the operator
 * revokes: re-reading the whole stream at each attempt lost to it every time).
 *
 * Kept by hand, as every optimistic-concurrency loop here (the bank, operator billing, the
 * redemption's seal, redeem and claim): a conflict is answered by reading the stream again and
 * deciding on what it holds now, at once, not by waiting and repeating the same call, which is
 * what p-retry is for (it would add only an attempt counter, and a timer turn per conflict).
 */
export async function runCommand<S, E extends NetPayEvent, R>(
  store: EventStore,
  command: StreamCommand<S, E, R>,
): Promise<CommandOutcome<R>> {
  const attempts = command.maxAttempts ?? 16;
  let state = command.initial;
  /** The last event folded (admitted or not): the next read starts after it. */
  let last: RecordedEvent | undefined;
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1 || !command.assumeNew) {
      const from = last === undefined ? undefined : { fromRevision: last.revision + 1 };
      for (const r of await store.readStream(command.stream, from)) {
        last = r;
        if (command.admit && !command.admit(r)) continue;
        const event = decode(r);
        if (event) state = command.evolve(state, event);
      }
    }
    const expectedRevision: ExpectedRevision = last === undefined ? 'no_stream' : last.revision;
    const { events, result } = command.decide(state);
    if (events.length === 0) return { result, position: undefined };
    const first = last === undefined ? 0 : last.revision + 1;
    const sealed = command.seal ? events.map((event, i) => command.seal!(event, first + i)) : events;
    const newEvents = sealed.map((event, i) =>
      toNewEvent(event, command.metadata, command.eventId?.(event, i) ?? randomUUID()),
    );
    try {
      const appended = await store.appendToStream(command.stream, newEvents, { expectedRevision });
      return { result, position: appended.position };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
    }
  }
}

/**
 * An event id derived from the event's content: the same event always gets the same id (a
 * retried append of it is idempotent), and any other event under the same name another id (so
 * it meets a conflict, not a duplicate, where one is stored already).
 */
export function contentEventId(kind: string, name: string, data: unknown): string {
  return deterministicEventId(kind, name, JSON.stringify(data));
}

/** Decoded events of a stream, in order. */
export async function readDecoded(
  store: EventStore,
  stream: string,
  admit: (recorded: RecordedEvent) => boolean = () => true,
): Promise<StoredEvent[]> {
  const recorded = await store.readStream(stream);
  return recorded.flatMap((r) => {
    const event = admit(r) ? decode(r) : undefined;
    return event ? [event] : [];
  });
}
