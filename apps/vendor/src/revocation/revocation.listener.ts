import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { subjects, type RevocationNotice } from '#contracts';
import type { RevocationList } from '../engine/revocation-list.js';

/**
 * The broker's CRL broadcast. Every replica listens (no queue group): each
 * keeps its own list. Malformed notices are ignored.
 */
export class RevocationListener {
  private subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly list: RevocationList,
    private readonly onNotice: (notice: RevocationNotice) => void = () => undefined,
  ) {}

  start(): void {
    this.subscription ??= this.nc.subscribe(subjects.revocation, {
      callback: (error, msg) => {
        if (error) return;
        const notice = parseNotice(msg.data);
        if (!notice) return;
        this.list.add(notice);
        this.onNotice(notice);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}

function parseNotice(data: Uint8Array): RevocationNotice | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(data)) as Partial<RevocationNotice> & {
      data?: unknown;
    };
    // Nest's event framing wraps the payload as { pattern, data }.
    const notice = (
      typeof value.data === 'object' && value.data !== null ? value.data : value
    ) as Partial<RevocationNotice>;
    if ((notice.kind === 'chain' || notice.kind === 'pseudonym') && typeof notice.id === 'string') {
      return {
        kind: notice.kind,
        id: notice.id,
        reason: String(notice.reason ?? ''),
        at: String(notice.at ?? ''),
      };
    }
  } catch {
    return undefined;
  }
  return undefined;
}
