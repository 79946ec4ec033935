import { UnknownEventVersionError, upcast, type NetPayEvent, type RedemptionLedgerEvent } from '#events';
import type { RecordedEvent } from '#event-store';
import { brokerParsers } from './parse-broker-events.js';
import { chainParsers } from './parse-chain-events.js';
import { MalformedData, object, type Fields } from './schema.js';

/** Every event the auditor checks (the redemption worker's bookkeeping included). */
export type AuditedEvent = NetPayEvent | RedemptionLedgerEvent;

export type ParsedEvent =
  | { readonly kind: 'event'; readonly event: AuditedEvent }
  | { readonly kind: 'unknown-type' }
  | { readonly kind: 'unknown-version'; readonly message: string }
  | { readonly kind: 'malformed'; readonly message: string };

const parsers: Readonly<Record<string, (f: Fields) => unknown>> = { ...chainParsers, ...brokerParsers };

/**
 * A recorded event, brought to its current version (the events library's
 * upcasters) and then checked field by field by the auditor's own readers.
 */
export function parseRecorded(recorded: RecordedEvent): ParsedEvent {
  const parse = Object.hasOwn(parsers, recorded.type) ? parsers[recorded.type] : undefined;
  if (parse === undefined) return { kind: 'unknown-type' };
  let current: { version: number; data: unknown } | undefined;
  try {
    current = upcast(recorded.type, recorded.version, recorded.data);
  } catch (error) {
    if (error instanceof UnknownEventVersionError) return { kind: 'unknown-version', message: error.message };
    return { kind: 'malformed', message: `upcasting failed: ${describe(error)}` };
  }
  if (current === undefined) return { kind: 'unknown-type' };
  try {
    const data = parse(object(current.data));
    return { kind: 'event', event: { type: recorded.type, version: current.version, data } as AuditedEvent };
  } catch (error) {
    if (error instanceof MalformedData) return { kind: 'malformed', message: error.message };
    return { kind: 'malformed', message: describe(error) };
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
