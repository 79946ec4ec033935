import { context, propagation } from '@opentelemetry/api';
import type { EventMetadata } from '../event-store.port.js';

/**
 * The W3C `traceparent` of the span active while an event is appended (none when tracing is off
 * or nothing is traced). Stores keep it beside the event (a JetStream header, not the body, so a
 * retried append stays byte-identical) and hand it back as `metadata.traceparent`, so that a
 * projection's work on the event continues the trace of the request that caused it.
 */
export function activeTraceparent(): string | undefined {
  let found: string | undefined;
  propagation.inject(context.active(), undefined, {
    set: (_carrier, key, value) => {
      if (key === 'traceparent') found = value;
    },
  });
  return found;
}

export function withTraceparent(metadata: EventMetadata, traceparent: string | undefined): EventMetadata {
  return traceparent ? { ...metadata, traceparent } : metadata;
}
