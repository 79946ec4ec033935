import {
  createInbox,
  type Msg,
  PermissionViolationError,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';
import { EventStoreUnavailableError } from '../errors.js';

/** Takes a request's replies one by one; true once the request is answered (it is then forgotten). */
export type ReplyHandler = (msg: Msg) => boolean;

interface Pending {
  readonly subject: string;
  readonly timeoutMs: number;
  readonly deadline: number;
  readonly handle: ReplyHandler;
  readonly fail: (error: Error) => void;
}

interface Outgoing {
  readonly id: number;
  readonly subject: string;
  readonly body: Uint8Array;
  readonly headers: MsgHdrs | undefined;
}

/**
 * Requests to JetStream's APIs (direct get, publish) with replies on one
 * subscription of our own, matched by the last token of the reply subject.
 *
 * The client library's `request` costs several times the CPU on these hot
 * paths: a timer per request, an Error object built for every request that
 * succeeds, and — as requests made while replies come in are each flushed at
 * their own microtask checkpoint — a socket write per request. Here one timer
 * sweeps the requests that are overdue, and the requests made in one turn of
 * the event loop go out together at its end, in one write.
 */
export class InboxRequests {
  private readonly inbox: string;
  private readonly subscription: Subscription;
  private readonly pending = new Map<number, Pending>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private outgoing: Outgoing[] = [];
  private nextId = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    inboxPrefix?: string,
  ) {
    // Under the role's inbox prefix: a role may only subscribe to its own inboxes.
    this.inbox = createInbox(inboxPrefix);
    this.subscription = nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => (error ? this.failAll(error) : this.onReply(msg)),
    });
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1_000, timeoutMs / 4)));
    this.sweeper.unref();
    void this.watchRefusals();
  }

  /**
   * Sends a request (at the end of this turn of the event loop); `start` gets
   * the callbacks to settle it with and returns the handler for its replies. `timeoutMs`: how
   * long to wait for the reply (default: the store's request time-out).
   */
  request<T>(
    subject: string,
    body: Uint8Array,
    headers: MsgHdrs | undefined,
    start: (resolve: (value: T) => void, reject: (error: Error) => void) => ReplyHandler,
    timeoutMs = this.timeoutMs,
  ): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, {
        subject,
        timeoutMs,
        deadline: Date.now() + timeoutMs,
        handle: start(resolve, reject),
        fail: reject,
      });
      if (this.outgoing.length === 0) setImmediate(() => this.send());
      this.outgoing.push({ id, subject, body, headers });
    });
  }

  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    this.failAll(new EventStoreUnavailableError('JetStream event store is closed'));
  }

  private send(): void {
    const outgoing = this.outgoing;
    this.outgoing = [];
    for (const { id, subject, body, headers } of outgoing) {
      try {
        this.nc.publish(subject, body, { reply: `${this.inbox}.${id}`, ...(headers ? { headers } : {}) });
      } catch (error) {
        this.settle(id)?.fail(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private onReply(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const pending = this.pending.get(id);
    if (!pending) return; // overdue and failed already
    let done: boolean;
    try {
      done = pending.handle(msg);
    } catch (error) {
      this.settle(id);
      pending.fail(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (done) this.settle(id);
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  /**
   * The server refuses a publish this identity may not make (deploy/nats/README.md) with an
   * asynchronous error, not a reply: fail the requests to that subject at once, saying so.
   */
  private async watchRefusals(): Promise<void> {
    for await (const status of this.nc.status()) {
      const error = status.type === 'error' ? status.error : undefined;
      if (!(error instanceof PermissionViolationError) || error.operation !== 'publish') continue;
      for (const [id, pending] of this.pending) {
        if (pending.subject !== error.subject) continue;
        this.pending.delete(id);
        pending.fail(
          new EventStoreUnavailableError(`NATS refused: ${error.message} (not this identity's to write)`),
        );
      }
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, pending] of this.pending) {
      if (pending.deadline > now) continue;
      this.pending.delete(id);
      pending.fail(new Error(`no reply within ${pending.timeoutMs} ms`));
    }
  }

  /** Fails every request waiting for a reply (the connection dropped: no reply will come). */
  failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.fail(error);
    this.pending.clear();
  }
}
