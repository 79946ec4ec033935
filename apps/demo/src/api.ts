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

export const toBase64Url = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');
