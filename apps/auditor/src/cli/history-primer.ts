import type { EventStore, GlobalPosition, RecordedEvent } from '#event-store';
import type { Audit } from '../core/audit.js';

const ID = /^[A-Za-z0-9_]{1,64}$/;

function ids(...values: unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string' && ID.test(v));
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/**
 * The streams whose earlier history the audit needs to check `event`: its own
 * stream, the chains it names (their touchstones, indexes, spends), the
 * vendors it names (their registrations and keys) and the customer it names
 * (the vendors it authorises). Read from the raw data: a malformed event
 * simply names fewer.
 */
export function referencedStreams(event: RecordedEvent): string[] {
  const d = event.data;
  const certificate = field(d, 'certificate');
  const chains = ids(
    field(d, 'chainId'),
    field(d, 'fromChainId'),
    field(d, 'toChainId'),
    field(certificate, 'chainId'),
    ...list(field(d, 'chainIds')),
    ...list(field(d, 'items')).map((item) => field(item, 'chainId')),
  );
  // Vendors it names (registrations and keys) on either side of a move of the chain.
  const vendors = ids(
    field(d, 'vendorId'),
    field(d, 'fromVendor'),
    field(d, 'toVendor'),
    field(certificate, 'fromVendor'),
    field(certificate, 'toVendor'),
  );
  // The customer it names: which vendors the owner of a server-side wallet authorises.
  const customers = ids(field(d, 'customerId'));
  return [
    event.streamName,
    ...chains.map((c) => `chain-${c}`),
    ...vendors.map((v) => `vendor-${v}`),
    ...customers.map((c) => `customer-${c}`),
  ];
}

/**
 * With `--from`, the events before the position are not replayed, but the
 * audit still needs what they established. Before each page, every stream the
 * page touches for the first time is read on its own and its events up to
 * `from` are primed (folded without checks), in log order.
 */
export class HistoryPrimer {
  private readonly loaded = new Set<string>();

  constructor(
    private readonly store: EventStore,
    private readonly audit: Audit,
    private readonly from: GlobalPosition,
  ) {}

  get streamsRead(): number {
    return this.loaded.size;
  }

  async primeFor(page: readonly RecordedEvent[]): Promise<void> {
    const wanted = new Set<string>();
    for (const event of page) {
      for (const stream of referencedStreams(event)) {
        if (!this.loaded.has(stream) && !this.audit.skips(stream)) wanted.add(stream);
      }
    }
    const earlier: RecordedEvent[] = [];
    for (const stream of wanted) {
      this.loaded.add(stream);
      for (const event of await this.store.readStream(stream)) {
        if (event.position <= this.from) earlier.push(event);
      }
    }
    earlier.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
    for (const event of earlier) this.audit.prime(event);
  }
}
