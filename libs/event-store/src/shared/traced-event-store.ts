import { type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type {
  AppendOptions,
  AppendResult,
  EventStore,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from '../event-store.port.js';
import { DelegatingEventStore } from './delegating-event-store.js';

const storeTracer = trace.getTracer('event-store');

/**
 * An event store whose calls are client spans (`event-store append`, `… read stream`, `… read
 * all`) with the store's name, the stream and the count: the adapter's own share of a trace. The
 * span is active during the call, so the events an append stores carry its traceparent (a child
 * of the request's span, in the same trace: every adapter keeps it, EventStoreDB in the event's
 * metadata). Without tracing set up, the spans are no-ops.
 */
export class TracedEventStore extends DelegatingEventStore {
  constructor(
    inner: EventStore,
    private readonly system: string,
  ) {
    super(inner);
  }

  override appendToStream(
    stream: string,
    events: readonly NewEvent[],
    options?: AppendOptions,
  ): Promise<AppendResult> {
    return this.span('append', { 'netpay.stream': stream, 'netpay.events': events.length }, () =>
      super.appendToStream(stream, events, options),
    );
  }

  override readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.span(
      'read stream',
      { 'netpay.stream': stream },
      () => super.readStream(stream, options),
      (read) => read.length,
    );
  }

  override readAll(options?: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.span(
      'read all',
      {},
      () => super.readAll(options),
      (read) => read.length,
    );
  }

  private span<T>(
    operation: string,
    attributes: Record<string, string | number>,
    call: () => Promise<T>,
    count?: (result: T) => number,
  ): Promise<T> {
    return storeTracer.startActiveSpan(
      `event-store ${operation}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'db.system': this.system, 'db.operation': operation, ...attributes },
      },
      async (span: Span) => {
        try {
          const result = await call();
          if (count) span.setAttribute('netpay.events', count(result));
          return result;
        } catch (error) {
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }
}
