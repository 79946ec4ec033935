import { type ApiError, JetStreamApiError } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/nats-core';
import type { InboxRequests } from './inbox-requests.js';

/** What the server acknowledged: where the message is stored, and whether it was there already. */
export interface StoredAck {
  readonly seq: number;
  readonly duplicate: boolean;
}

const NO_RESPONDERS = 503;
const decoder = new TextDecoder();

/**
 * A JetStream publish: the message to its subject with a reply subject, the
 * stream's acknowledgement (or API error) as the reply. Errors are the
 * client library's `JetStreamApiError`, so callers read codes the same way.
 */
export function publishToStream(
  requests: InboxRequests,
  subject: string,
  body: Uint8Array,
  headers?: MsgHdrs,
  timeoutMs?: number,
): Promise<StoredAck> {
  return requests.request<StoredAck>(
    subject,
    body,
    headers,
    (resolve) => (msg) => {
      const status = msg.headers?.code ?? 0;
      if (status === NO_RESPONDERS) throw new Error(`no JetStream stream takes ${subject}`);
      if (status !== 0) throw new Error(`publish to ${subject}: ${status} ${msg.headers?.description ?? ''}`);
      const ack = JSON.parse(decoder.decode(msg.data)) as {
        seq?: unknown;
        duplicate?: unknown;
        error?: ApiError;
      };
      if (ack.error) throw new JetStreamApiError(ack.error);
      if (typeof ack.seq !== 'number' || !Number.isSafeInteger(ack.seq) || ack.seq <= 0) {
        throw new Error(`publish to ${subject}: invalid acknowledgement`);
      }
      resolve({ seq: ack.seq, duplicate: ack.duplicate === true });
      return true;
    },
    timeoutMs,
  );
}
