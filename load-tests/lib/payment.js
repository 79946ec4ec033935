// The wallet side of the wire: payment headers, idempotency keys, receipts.
import { randomBytes } from 'k6/crypto';
import encoding from 'k6/encoding';

/** `X-NetPay-Payment: <chainId>.<position>.<W[position]>` plus the touchstone (saves the vendor a broker call). */
export function paymentHeaders(payment) {
  return {
    'X-NetPay-Payment': `${payment.chainId}.${payment.position}.${payment.payword}`,
    'X-NetPay-Touchstone': payment.touchstone,
  };
}

/**
 * Server-side wallet: the checkout token the customer gave this vendor, and an Idempotency-Key
 * naming this purchase (the vendor picks the paywords, so only the key tells a retry from the next one).
 */
export function checkoutHeaders(token) {
  return { 'X-NetPay-Checkout': token, 'Idempotency-Key': idempotencyKey() };
}

/** Every mutating broker call carries one (a retry would reuse it). */
export function idempotencyKey() {
  return crypto.randomUUID();
}

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** 32 random bytes of the wallet mixed into client-side seeds (the broker cannot recompute them). */
export function walletNonce() {
  return hex(randomBytes(32));
}

// Go's canonical form of a header name (textproto.CanonicalMIMEHeaderKey), which is how k6 hands
// response headers to the script: `X-NetPay-Receipt-Id` arrives as `X-Netpay-Receipt-Id`.
const canonicalNames = new Map();
function canonical(name) {
  let key = canonicalNames.get(name);
  if (key === undefined) {
    key = name
      .toLowerCase()
      .split('-')
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('-');
    canonicalNames.set(name, key);
  }
  return key;
}

/** A response header by name, whatever its case (one property lookup in the usual case). */
export function header(res, name) {
  const headers = res.headers;
  const value = headers[canonical(name)];
  if (value !== undefined) return value;
  const wanted = name.toLowerCase();
  for (const key in headers) if (key.toLowerCase() === wanted) return headers[key];
  return undefined;
}

/** The signed receipt of `X-NetPay-Receipt` (base64url JSON), or undefined. */
export function receiptOf(res) {
  const raw = header(res, 'X-NetPay-Receipt');
  if (!raw) return undefined;
  try {
    return JSON.parse(encoding.b64decode(raw, 'rawurl', 's'));
  } catch {
    return undefined;
  }
}

/** A JSON body, or undefined (problem+json refusals included). */
export function bodyOf(res) {
  try {
    return res.json();
  } catch {
    return undefined;
  }
}

/** The stable code of a problem+json refusal, or `HTTP.<status>`. */
export function codeOf(res) {
  const body = bodyOf(res);
  return body && typeof body.code === 'string' ? body.code : `HTTP.${res.status}`;
}
