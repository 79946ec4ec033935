import { NetPayError, PLATFORM_ERROR } from '../errors/netpay-error.js';
import { mapError } from '../errors/problem.js';
import { type RpcErrorReply, toRpcErrorReply } from '../errors/rpc-error.js';
import { jsonDepth, MAX_JSON_DEPTH, tooDeep } from '../http/json-body.js';

/**
 * Whether a message on a service's subject came out of a stream rather than from a party: a push
 * consumer's delivery (its reply subject is the consumer's acknowledgement, `$JS.ACK.…`) or a
 * direct get's answer (it carries the `Nats-Stream` header, and no reply). Anyone with the right
 * to read the stream can aim either at another role's request subject — a consumer's
 * `deliver_subject`, or the reply subject of a direct get — and nats-server does not check the
 * reader's publish rights there, so stored messages can be replayed onto it as often as it likes.
 * No party sends requests that way, so they are dropped unread.
 */
export function isStreamDelivery(msg: {
  readonly reply?: string;
  readonly headers?: { get(name: string): string };
}): boolean {
  if (msg.reply?.startsWith('$JS.ACK.')) return true;
  return (msg.headers?.get('Nats-Stream') ?? '') !== '';
}

/** Why a NATS message is not a request a Nest handler may run, or undefined when it is one. */
export type PacketCheck = { ok: true } | { ok: false; id?: string; error: NetPayError };

/**
 * Checks a message on a Nest NATS subject before Nest reads it. Nest takes anything that is
 * not a `{ pattern, data, id }` packet (raw bytes throw, `[]` or `"x"` become an event) and
 * then answers nothing: the requester waits for its time-out. A message must be JSON of at
 * most `MAX_JSON_DEPTH` levels, an object with a `pattern` and a `data` field; a request (one
 * with a reply subject) also needs the string `id` its answer will carry.
 */
export function checkPacket(payload: Uint8Array, isRequest: boolean): PacketCheck {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return invalid('The message is not UTF-8 text.');
  }
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return { ok: false, error: tooDeep(MAX_JSON_DEPTH) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return invalid('The message is not JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return invalid('The message must be a JSON object { pattern, data, id }.');
  }
  const packet = value as Record<string, unknown>;
  const id = typeof packet.id === 'string' && packet.id.length <= 128 ? packet.id : undefined;
  if (isRequest && id === undefined) return invalid('A request needs a string id (Nest packet).');
  if (!('pattern' in packet) || !('data' in packet)) {
    return invalid('The message must carry both a pattern and a data field.', id);
  }
  return { ok: true };
}

/**
 * The bytes answering a refused message: a Nest reply packet when it had an id, else the bare
 * envelope — the one reply envelope either way (`RpcErrorReply`, the contracts' `Reply<T>`).
 */
export function refusalReply(check: Extract<PacketCheck, { ok: false }>): Uint8Array {
  const reply: RpcErrorReply = toRpcErrorReply(mapError(check.error));
  const body = check.id === undefined ? reply : { id: check.id, response: reply, isDisposed: true };
  return new TextEncoder().encode(JSON.stringify(body));
}

function invalid(message: string, id?: string): PacketCheck {
  const error = new NetPayError(PLATFORM_ERROR.REQUEST_INVALID, message, { status: 400 });
  return id === undefined ? { ok: false, error } : { ok: false, id, error };
}
