import type { Msg } from '@nats-io/nats-core';
import { headerMap, type StoredMessage } from './jetstream-codec.js';
import type { InboxRequests } from './inbox-requests.js';

/** Status codes of direct-get replies (nats-server's JetStream direct get API). */
const NOT_FOUND = 404;
const END_OF_BATCH = 204;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * JetStream direct get (`$JS.API.DIRECT.GET.<stream>`, needs `allow_direct`):
 * a message by sequence, the last on a subject, or (nats-server 2.11+) a batch.
 * The server looks a message up by sequence without scanning anything.
 */
export class DirectGet {
  private readonly api: string;

  constructor(
    private readonly requests: InboxRequests,
    streamName: string,
  ) {
    this.api = `$JS.API.DIRECT.GET.${streamName}`;
  }

  /** The message at `seq`, or undefined when there is none. */
  bySeq(seq: number): Promise<StoredMessage | undefined> {
    return this.requests.request(this.api, encoder.encode(`{"seq":${seq}}`), undefined, single);
  }

  /** The last message on `subject`, or undefined when the subject has none. */
  lastBySubject(subject: string): Promise<StoredMessage | undefined> {
    return this.requests.request(`${this.api}.${subject}`, EMPTY, undefined, single);
  }

  /** Up to `batch` messages from `seq` on, in one request: batched direct get, nats-server 2.11+. */
  batch(seq: number, batch: number): Promise<StoredMessage[]> {
    const query = { seq, batch };
    return this.requests.request(this.api, encoder.encode(JSON.stringify(query)), undefined, (resolve) => {
      const messages: StoredMessage[] = [];
      return (msg) => {
        const code = statusOf(msg);
        if (code === END_OF_BATCH || code === NOT_FOUND) {
          resolve(messages);
          return true;
        }
        messages.push(stored(msg));
        return false;
      };
    });
  }
}

function single(resolve: (message: StoredMessage | undefined) => void): (msg: Msg) => boolean {
  return (msg) => {
    resolve(statusOf(msg) === NOT_FOUND ? undefined : stored(msg));
    return true;
  };
}

/** 0 for a message, else the status; throws on statuses that are errors. */
function statusOf(msg: Msg): number {
  const code = msg.headers?.code ?? 0;
  if (code === 0 || code === 200 || code === NOT_FOUND || code === END_OF_BATCH) return code;
  throw new Error(`direct get: ${code} ${msg.headers?.description ?? ''}`.trim());
}

/** A direct-get reply: the stored message's headers plus Nats-Sequence, Nats-Time-Stamp, … */
function stored(msg: Msg): StoredMessage {
  const headers = headerMap(msg.headers);
  const seq = Number(headers?.get('Nats-Sequence'));
  if (!headers || !Number.isSafeInteger(seq) || seq <= 0) {
    throw new Error('direct get: reply without Nats-Sequence');
  }
  const time = new Date(Date.parse(headers.get('Nats-Time-Stamp') ?? ''));
  return { seq, subject: headers.get('Nats-Subject'), headers, data: msg.data, time };
}
