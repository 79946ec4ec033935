import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { EventStoreUnavailableError } from '../errors.js';
import { headerMap, type StoredMessage } from './jetstream-codec.js';

/** Status codes of direct-get replies (nats-server's JetStream direct get API). */
const NOT_FOUND = 404;
const END_OF_BATCH = 204;

/** One request's waiter: a single reply, or (batch) replies until the end-of-batch status. */
interface Waiter {
  readonly deadline: number;
  readonly batch: StoredMessage[] | undefined;
  readonly resolve: (messages: StoredMessage[]) => void;
  readonly reject: (error: Error) => void;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * JetStream direct get (`$JS.API.DIRECT.GET.<stream>`) over one reply
 * subscription of our own. The client library's `direct.getMessage` goes
 * through a full request per call (a timer and bookkeeping each) and costs
 * about five times the CPU; on the read path that is most of the time. Here a
 * request is one publish, replies are matched by the last token of the reply
 * subject, and one timer sweeps the requests that are overdue.
 */
export class DirectGet {
  private readonly inbox = createInbox();
  private readonly subscription: Subscription;
  private readonly waiting = new Map<number, Waiter>();
  private readonly sweeper: ReturnType<typeof setInterval>;
  private nextId = 0;
  /** Requests made in this turn of the event loop, sent together at its end. */
  private outgoing: { readonly id: number; readonly subject: string; readonly body: Uint8Array }[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly streamName: string,
    private readonly timeoutMs: number,
  ) {
    this.subscription = nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => (error ? this.failAll(error) : this.onReply(msg)),
    });
    this.sweeper = setInterval(() => this.sweep(), Math.max(50, Math.min(1_000, timeoutMs / 4)));
    this.sweeper.unref();
  }

  /** The message at `seq`, or undefined when there is none. */
  async bySeq(seq: number): Promise<StoredMessage | undefined> {
    return (await this.request(`{"seq":${seq}}`, undefined, false))[0];
  }

  /** The last message on `subject`, or undefined when the subject has none. */
  async lastBySubject(subject: string): Promise<StoredMessage | undefined> {
    return (await this.request(EMPTY, subject, false))[0];
  }

  /**
   * Up to `batch` messages from `seq` on (only those on `subject` when given),
   * in one request: batched direct get, nats-server 2.11+.
   */
  batch(seq: number, batch: number, subject?: string): Promise<StoredMessage[]> {
    const query = subject === undefined ? { seq, batch } : { seq, batch, next_by_subj: subject };
    return this.request(JSON.stringify(query), undefined, true);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.subscription.unsubscribe();
    this.failAll(new EventStoreUnavailableError('JetStream event store is closed'));
  }

  private request(
    payload: string | Uint8Array,
    lastBySubject: string | undefined,
    batch: boolean,
  ): Promise<StoredMessage[]> {
    const id = this.nextId++;
    const subject = `$JS.API.DIRECT.GET.${this.streamName}${lastBySubject ? `.${lastBySubject}` : ''}`;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, {
        deadline: Date.now() + this.timeoutMs,
        batch: batch ? [] : undefined,
        resolve,
        reject,
      });
      const body = typeof payload === 'string' ? encoder.encode(payload) : payload;
      if (this.outgoing.length === 0) setImmediate(() => this.send());
      this.outgoing.push({ id, subject, body });
    });
  }

  /**
   * Publishes the requests queued in this turn in one go. The client writes to
   * the socket once per microtask checkpoint; requests made as replies come in
   * (a walk taking its next step) would otherwise each cost a write of their own,
   * a third of the read path's CPU.
   */
  private send(): void {
    const outgoing = this.outgoing;
    this.outgoing = [];
    for (const { id, subject, body } of outgoing) {
      try {
        this.nc.publish(subject, body, { reply: `${this.inbox}.${id}` });
      } catch (error) {
        const waiter = this.waiting.get(id);
        this.waiting.delete(id);
        waiter?.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  private onReply(msg: Msg): void {
    const id = Number(msg.subject.slice(this.inbox.length + 1));
    const waiter = this.waiting.get(id);
    if (!waiter) return; // timed out already
    const code = msg.headers?.code ?? 0;
    if (code === 0 || code === 200) {
      const stored = toStored(msg);
      if (!stored) {
        this.waiting.delete(id);
        waiter.reject(new Error('direct get: reply without Nats-Sequence'));
      } else if (!waiter.batch) {
        this.waiting.delete(id);
        waiter.resolve([stored]);
      } else {
        waiter.batch.push(stored);
      }
      return;
    }
    this.waiting.delete(id);
    if (code === NOT_FOUND || (code === END_OF_BATCH && waiter.batch)) {
      waiter.resolve(waiter.batch ?? []);
    } else {
      waiter.reject(new Error(`direct get: ${code} ${msg.headers?.description ?? ''}`.trim()));
    }
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, waiter] of this.waiting) {
      if (waiter.deadline > now) continue;
      this.waiting.delete(id);
      waiter.reject(new Error(`direct get: no reply within ${this.timeoutMs} ms`));
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/** A direct-get reply: the stored message's headers plus Nats-Sequence, Nats-Time-Stamp, … */
function toStored(msg: Msg): StoredMessage | undefined {
  const headers = headerMap(msg.headers);
  const seq = Number(headers?.get('Nats-Sequence'));
  if (!headers || !Number.isSafeInteger(seq) || seq <= 0) return undefined;
  const time = new Date(Date.parse(headers.get('Nats-Time-Stamp') ?? ''));
  return { seq, headers, data: msg.data, time };
}
