import { createHash } from 'node:crypto';
import { NetPayError } from '#platform';
import { type P2PPayment, statementDigest, statementEnd } from '#protocol';
import { purchaseStatusOf } from './purchase-refusals.js';

/** What an S-peer answers a paid purchase: the receipt and the content. */
export interface Sale {
  readonly receipt: {
    readonly digest: string;
    readonly payee: string;
    readonly chainId: string;
    readonly fromIndex: number;
    readonly toIndex: number;
    /** `store`: in the event store before this answer; `journal`: in the peer's journal, uploaded at redemption. */
    readonly recorded: 'store' | 'journal';
  };
  readonly contentId: string;
  readonly sha256: string;
  /** The content, base64. */
  readonly data: string;
}

const CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/;
const HEX64 = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * HTTP to another peer, an untrusted party. Its answer is a JSON object, or an error of ours:
 * - gone, or answering 503 (retry): `503 PEER.UNREACHABLE`;
 * - a 4xx refusal whose code is in `passedOn` (it speaks of the caller's request): that code, at
 *   the status this peer gives it (`purchaseStatusOf`), never the status the other peer chose;
 * - any other 4xx — a 401 or a 400 about our own request to it, a code of its own: `502
 *   PEER.REFUSED`; its failure (any other 5xx) or an answer that is no JSON object: `502
 *   PEER.BAD_ANSWER`. What it said is in `details.remote`, never spread into our answer.
 */
export async function peerRequest(
  url: string,
  method: 'GET' | 'POST',
  body: unknown,
  passedOn: readonly string[],
): Promise<Record<string, unknown>> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
    text = await response.text();
  } catch (error) {
    throw new NetPayError('PEER.UNREACHABLE', `${url}: ${(error as Error).message}`, { status: 503 });
  }
  const parsed = jsonObject(text);
  if (response.ok) {
    if (parsed) return parsed;
    throw new NetPayError('PEER.BAD_ANSWER', `${url}: the other peer did not answer a JSON object`, {
      status: 502,
    });
  }
  const code = typeof parsed?.code === 'string' && CODE.test(parsed.code) ? parsed.code : undefined;
  const said = (typeof parsed?.detail === 'string' ? parsed.detail : text).slice(0, 300);
  const remote = { status: response.status, ...(code ? { code } : {}) };
  if (response.status === 503)
    throw new NetPayError('PEER.UNREACHABLE', `${url} asks for a retry: ${said}`, {
      status: 503,
      details: { remote },
    });
  const refused = response.status >= 400 && response.status < 500;
  if (refused && code !== undefined && passedOn.includes(code))
    throw new NetPayError(code, said, { status: purchaseStatusOf(code), details: { remote } });
  throw new NetPayError(
    refused ? 'PEER.REFUSED' : 'PEER.BAD_ANSWER',
    refused
      ? `${url} refused with ${response.status} ${code ?? '(no code)'}, which is not yours to fix: ${said}`
      : `${url} failed with ${response.status}`,
    { status: 502, details: { remote } },
  );
}

function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The S-peer's answer to `payment`, checked: a receipt of that very statement, the content with
 * its hash. Anything else is `502 PEER.BAD_ANSWER`: a made-up receipt never reaches the owner.
 */
export function saleOf(answer: Record<string, unknown>, payment: P2PPayment, url: string): Sale {
  const s = payment.statement;
  const r = answer.receipt as Record<string, unknown> | null | undefined;
  const { contentId, sha256, data } = answer;
  const receiptOk =
    typeof r === 'object' &&
    r !== null &&
    r.digest === statementDigest(s) &&
    r.payee === s.payee &&
    r.chainId === s.chainId &&
    r.fromIndex === s.fromIndex &&
    r.toIndex === statementEnd(s) &&
    (r.recorded === 'store' || r.recorded === 'journal');
  const contentOk =
    contentId === s.contentId &&
    typeof sha256 === 'string' &&
    HEX64.test(sha256) &&
    typeof data === 'string' &&
    BASE64.test(data) &&
    createHash('sha256').update(Buffer.from(data, 'base64')).digest('hex') === sha256;
  if (!receiptOk || !contentOk)
    throw new NetPayError(
      'PEER.BAD_ANSWER',
      `${url}: the answer is not a receipt of this payment with its content`,
      { status: 502 },
    );
  return {
    receipt: {
      digest: r.digest as string,
      payee: s.payee,
      chainId: s.chainId,
      fromIndex: s.fromIndex,
      toIndex: statementEnd(s),
      recorded: r.recorded as 'store' | 'journal',
    },
    contentId: s.contentId,
    sha256,
    data,
  };
}
