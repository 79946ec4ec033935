import type { HandOffReply, HandOffRequest, Reply } from '#contracts';

/** What came back from asking a holder to hand a chain off. */
export type HandOffAnswer =
  | { readonly kind: 'reply'; readonly reply: Reply<HandOffReply> }
  /** Nobody answered in time (or nobody listens): the asker may claim from the store. */
  | { readonly kind: 'unanswered'; readonly reason: string };

/** How vendor B asks holder A (NATS request/reply on `subjects.handOff(A)` in production). */
export interface HandOffTransport {
  request(holder: string, request: HandOffRequest, timeoutMs: number): Promise<HandOffAnswer>;
}

/** Serves hand-off requests addressed to this vendor. */
export type HandOffResponder = (request: unknown) => Promise<Reply<HandOffReply>>;

/**
 * Vendors of one process talking directly (unit tests). A vendor marked down
 * never answers: its asker waits out the time-out, as over NATS.
 */
export class InMemoryHandOffNetwork implements HandOffTransport {
  private readonly responders = new Map<string, HandOffResponder>();
  private readonly down = new Set<string>();

  serve(vendorId: string, responder: HandOffResponder): void {
    this.responders.set(vendorId, responder);
  }

  setDown(vendorId: string, down = true): void {
    if (down) this.down.add(vendorId);
    else this.down.delete(vendorId);
  }

  async request(holder: string, request: HandOffRequest, timeoutMs: number): Promise<HandOffAnswer> {
    const responder = this.responders.get(holder);
    if (!responder) return { kind: 'unanswered', reason: 'no responders' };
    if (this.down.has(holder)) {
      await new Promise((resolve) => setTimeout(resolve, timeoutMs));
      return { kind: 'unanswered', reason: 'timeout' };
    }
    // Through JSON, as on the wire.
    const reply = await responder(JSON.parse(JSON.stringify(request)) as unknown);
    return { kind: 'reply', reply: JSON.parse(JSON.stringify(reply)) as Reply<HandOffReply> };
  }
}
