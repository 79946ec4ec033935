import {
  BACKWARDS,
  END,
  eventTypeFilter,
  type EventStoreDBClient,
  type Filter,
  FORWARDS,
  type Position,
  START,
  streamNameFilter,
} from '@eventstore/db-client';
import type {
  GlobalPosition,
  ReadStreamOptions,
  RecordedEvent,
  SubscriptionFilter,
} from '../event-store.port.js';
import type { ResolvedEventStoreDbConfig } from './esdb-config.js';
import { decodeEvent, isNetPayEvent, toEsdbPosition, toGlobalPosition } from './esdb-codec.js';
import { isStreamNotFound } from './esdb-errors.js';

const PAGE = 1_000;

export async function readStreamEvents(
  client: EventStoreDBClient,
  config: ResolvedEventStoreDbConfig,
  stream: string,
  options: ReadStreamOptions,
): Promise<RecordedEvent[]> {
  if (options.maxCount !== undefined && options.maxCount <= 0) return [];
  const backwards = options.direction === 'backwards';
  const out: RecordedEvent[] = [];
  try {
    const read = client.readStream(stream, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision:
        options.fromRevision !== undefined ? BigInt(options.fromRevision) : backwards ? END : START,
      ...(options.maxCount !== undefined ? { maxCount: options.maxCount } : {}),
      resolveLinkTos: false,
      deadline: config.deadlineMs,
    });
    for await (const resolved of read) if (resolved.event) out.push(decodeEvent(resolved));
  } catch (error) {
    if (isStreamNotFound(error)) return [];
    throw error;
  }
  return out;
}

/**
 * $all after a position, NetPay events only. ESDB reads $all from a position
 * inclusively, and system events count against maxCount, so this pages.
 */
export async function readAllEvents(
  client: EventStoreDBClient,
  config: ResolvedEventStoreDbConfig,
  after: GlobalPosition | undefined,
  maxCount: number | undefined,
): Promise<RecordedEvent[]> {
  const want = maxCount ?? Number.POSITIVE_INFINITY;
  const out: RecordedEvent[] = [];
  let skipUpTo = after;
  let from: typeof START | Position = after === undefined ? START : toEsdbPosition(after);
  while (out.length < want) {
    const page = Math.min(PAGE, want - out.length) + 1;
    let got = 0;
    for await (const resolved of client.readAll({
      direction: FORWARDS,
      fromPosition: from,
      maxCount: page,
      resolveLinkTos: false,
      deadline: config.deadlineMs,
    })) {
      got++;
      const position = resolved.event?.position;
      if (!position) continue;
      const global = toGlobalPosition(position);
      if (skipUpTo !== undefined && global <= skipUpTo) continue;
      skipUpTo = global;
      from = position;
      if (isNetPayEvent(resolved, config.checkpointCategory)) out.push(decodeEvent(resolved));
      if (out.length >= want) break;
    }
    if (got < page) break;
  }
  return out;
}

/** Position of the last record in $all (system ones included), to tell when a subscription has caught up. */
export async function headOfAll(
  client: EventStoreDBClient,
  config: ResolvedEventStoreDbConfig,
): Promise<bigint> {
  for await (const resolved of client.readAll({
    direction: BACKWARDS,
    fromPosition: END,
    maxCount: 1,
    deadline: config.deadlineMs,
  })) {
    if (resolved.event?.position) return toGlobalPosition(resolved.event.position);
  }
  return -1n;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The server-side filter: categories by stream name, else event types, else
 * everything but system and checkpoint streams. (ESDB filters on one of
 * stream name or type; the subscription runner applies the whole filter again.)
 */
export function serverFilter(
  filter: SubscriptionFilter | undefined,
  config: ResolvedEventStoreDbConfig,
  checkpointReached: (position: Position) => void,
): Filter {
  const onCheckpoint = {
    checkpointReached: (_: unknown, position: Position): void => checkpointReached(position),
  };
  if (filter?.categories?.length) {
    return streamNameFilter({ regex: `^(${filter.categories.map(escape).join('|')})(-|$)`, ...onCheckpoint });
  }
  if (filter?.eventTypes?.length) {
    return eventTypeFilter({ regex: `^(${filter.eventTypes.map(escape).join('|')})$`, ...onCheckpoint });
  }
  return streamNameFilter({ regex: `^(?!\\$|${escape(config.checkpointCategory)}-)`, ...onCheckpoint });
}
