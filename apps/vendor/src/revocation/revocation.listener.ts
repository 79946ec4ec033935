import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { subjects } from '#contracts';
import { isStreamDelivery } from '#platform';
import { parseSignedRevocationNotice, verifyRevocationNotice, type SignedRevocationNotice } from '#protocol';
import type { KeyDirectory } from '../engine/key-directory.js';
import type { RevocationList } from '../engine/revocation-list.js';

/** Why a notice was dropped (`MALFORMED` or a `SIGNATURE.*` code): a metric label and a log line. */
export interface DroppedNotice {
  readonly reason: string;
  readonly message: string;
}

/**
 * The broker's CRL broadcast. Every replica listens (no queue group): each
 * keeps its own list. A notice acts only when a pinned broker key signed it:
 * anyone on the bus could otherwise make vendors refuse good chains. Anything
 * else is dropped (no reply is expected), reported through `onDropped`.
 */
export class RevocationListener {
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly list: RevocationList,
    private readonly keys: KeyDirectory,
    private readonly onNotice: (notice: SignedRevocationNotice) => void = () => undefined,
    private readonly onDropped: (dropped: DroppedNotice) => void = () => undefined,
  ) {}

  start(): void {
    this.subscription ??= this.nc.subscribe(subjects.revocation, {
      callback: (error, msg) => {
        // Notices are signed, but a stream replayed onto this subject would still cost a check each.
        if (error || isStreamDelivery(msg)) return;
        const checked = checkNotice(msg.data, this.keys);
        if ('reason' in checked) {
          this.onDropped(checked);
          return;
        }
        this.list.add(checked.notice);
        this.onNotice(checked.notice);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}

/** A notice a pinned broker key signed (as published, or in Nest's `{ pattern, data }` framing). */
export function checkNotice(
  data: Uint8Array,
  keys: KeyDirectory,
): { readonly notice: SignedRevocationNotice } | DroppedNotice {
  let notice: SignedRevocationNotice;
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as { data?: unknown; pattern?: unknown };
    const body = typeof value.pattern === 'string' && typeof value.data === 'object' ? value.data : value;
    notice = parseSignedRevocationNotice(body);
  } catch (error) {
    return { reason: 'MALFORMED', message: `not a signed revocation notice: ${String(error)}` };
  }
  const check = verifyRevocationNotice(notice, keys.broker);
  if (!check.ok)
    return { reason: check.code, message: `revocation of ${notice.kind} ${notice.id}: ${check.message}` };
  return { notice };
}
