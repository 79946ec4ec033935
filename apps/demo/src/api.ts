import { randomUUID } from 'node:crypto';

/** An HTTP answer: status, headers and the parsed JSON body (or undefined). */
export interface Answer<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A problem+json refusal's stable code, if the body is one. */
export function codeOf(answer: Answer): string | undefined {
  const body = answer.body as { code?: unknown } | undefined;
  return typeof body?.code === 'string' ? body.code : undefined;
}

export interface CallOptions {
  readonly method?: 'GET' | 'POST' | 'DELETE';
  readonly body?: unknown;
  readonly token?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Mutating calls carry an Idempotency-Key; a retry must reuse it. */
  readonly idempotencyKey?: string;
}

const CALL_TIMEOUT_MS = 15_000;

export async function call<T = unknown>(url: string, options: CallOptions = {}): Promise<Answer<T>> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (method !== 'GET') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
  // When we stop waiting: a vendor records no spend after it (we would never see the receipt).
  headers['x-netpay-deadline'] = new Date(Date.now() + CALL_TIMEOUT_MS).toISOString();
  const res = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, headers: res.headers, body: body as T };
}

/** Like `call`, but anything other than 2xx is an error naming the call and the refusal. */
export async function must<T = unknown>(url: string, options: CallOptions = {}): Promise<T> {
  const answer = await call<T>(url, options);
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`${options.method ?? 'call'} ${url} → ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

export interface RetryOptions {
  /** Calls in all, the first included. */
  readonly attempts?: number;
  /** Wait before the n-th retry: n × this. */
  readonly delayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Like `must`, but a 503 (a dependency away for a moment: the broker's bank, the event store) is
 * asked again with the same Idempotency-Key and body, as its refusal says to — at most once
 * charged. For seeding load runs, where a busy machine makes the bank miss its time-out now
 * and then and one such answer used to end a whole sweep.
 */
export async function mustRetrying<T = unknown>(
  url: string,
  options: CallOptions = {},
  retry: RetryOptions = {},
): Promise<T> {
  const attempts = retry.attempts ?? 6;
  const delayMs = retry.delayMs ?? 1_000;
  const sleep = retry.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const once: CallOptions =
    method === 'GET' ? options : { ...options, idempotencyKey: options.idempotencyKey ?? randomUUID() };
  for (let attempt = 1; ; attempt++) {
    const answer = await call<T>(url, once);
    if (answer.status === 503 && attempt < attempts) {
      await sleep(delayMs * attempt);
      continue;
    }
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${options.method ?? 'call'} ${url} → ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer.body;
  }
}

export const toBase64Url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');
