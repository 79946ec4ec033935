import { randomUUID } from 'node:crypto';
import type { Clock } from '#platform';
import { NetPayError, remoteStatus } from '#platform';
import {
  type DoubleSpendProof,
  newNonce,
  signPeerRegistration,
  payloadDigest,
  type PseudonymCertificate,
  type SignedIndexStatement,
  type SignedRevocationNotice,
  signPeerCall,
  type Signer,
  type Touchstone,
} from '#protocol';

export interface IndexEntry {
  readonly pseudonym: string;
  readonly contentId: string;
  readonly title: string;
  readonly price: number;
  readonly sha256: string;
  readonly endpoint: string;
}

export interface RedemptionSummary {
  readonly redemptionId: string;
  readonly coins: number;
  readonly amount: number;
  readonly currency: string;
  readonly mode: string;
  readonly items: readonly { readonly digest: string; readonly coins: number }[];
  readonly refused: readonly { readonly digest: string; readonly code: string }[];
  readonly proven: number;
}

/** The CIS could not be reached (network, 5xx): the peer carries on off-line. */
export class CisUnreachableError extends NetPayError {
  constructor(message: string) {
    // A dependency away: 503 with a stable code (a bare coded error would map to a 422 refusal).
    super('PEER.CIS_UNREACHABLE', message, { status: 503 });
    this.name = 'CisUnreachableError';
  }
}

/** A peer's client of the CIS's HTTP API; every call after registration is signed with the pseudonym key. */
export class CisClient {
  pseudonym: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly signer: Signer,
    private readonly clock: Clock,
    private readonly timeoutMs = 10_000,
  ) {}

  async register(identity: string): Promise<{ pseudonym: string; certificate: PseudonymCertificate }> {
    const answer = await this.request<{ pseudonym: string; certificate: PseudonymCertificate }>(
      'POST',
      '/peers',
      signPeerRegistration(
        {
          identity,
          publicKey: this.signer.publicKey,
          keyId: this.signer.keyId,
          at: this.clock.now().toISOString(),
          nonce: newNonce(),
        },
        this.signer,
      ),
    );
    this.pseudonym = answer.pseudonym;
    return answer;
  }

  buy(
    coins: number,
    walletNonce: string,
    key: string = randomUUID(),
  ): Promise<{
    purchaseId: string;
    chainId: string;
    seed: string;
    touchstone: Touchstone;
  }> {
    return this.signed('buy', `/peers/${this.me()}/purchases`, { coins, walletNonce }, key);
  }

  announce(c: {
    contentId: string;
    title: string;
    price: number;
    sha256: string;
    endpoint: string;
  }): Promise<IndexEntry> {
    return this.signed('announce', `/peers/${this.me()}/content`, c);
  }

  withdraw(contentId: string): Promise<{ withdrawn: boolean }> {
    return this.signed('withdraw', `/peers/${this.me()}/content/${encodeURIComponent(contentId)}/withdraw`, {
      contentId,
    });
  }

  heartbeat(): Promise<{ ok: true; listed?: string[] }> {
    return this.signed('heartbeat', `/peers/${this.me()}/heartbeat`, {});
  }

  standing(): Promise<Record<string, unknown>> {
    return this.signed('standing', `/peers/${this.me()}/standing`, {});
  }

  redeem(
    statements: readonly SignedIndexStatement[],
    proofs: readonly DoubleSpendProof[],
    key = randomUUID(),
  ): Promise<RedemptionSummary> {
    return this.signed('redeem', `/peers/${this.me()}/redemptions`, { statements, proofs }, key);
  }

  search(q: string): Promise<IndexEntry[]> {
    return this.request('GET', `/content?q=${encodeURIComponent(q)}`);
  }

  reportDoubleSpend(proof: DoubleSpendProof): Promise<{ pseudonym: string; notice: SignedRevocationNotice }> {
    return this.request('POST', '/double-spends', proof);
  }

  revocations(): Promise<SignedRevocationNotice[]> {
    return this.request('GET', '/revocations');
  }

  private me(): string {
    if (!this.pseudonym)
      throw new NetPayError('PEER.NOT_REGISTERED', 'the peer has not registered at the CIS yet', {
        status: 503,
      });
    return this.pseudonym;
  }

  private signed<T>(
    action: string,
    path: string,
    payload: Record<string, unknown>,
    key: string = randomUUID(),
  ): Promise<T> {
    const call = signPeerCall(
      {
        pseudonym: this.me(),
        action,
        digest: payloadDigest(payload),
        at: this.clock.now().toISOString(),
        nonce: newNonce(),
      },
      this.signer,
    );
    return this.request<T>('POST', path, { ...payload, call }, key);
  }

  private async request<T>(
    method: string,
    path: string,
    body?: unknown,
    key: string = randomUUID(),
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.baseUrl + path, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(method === 'GET' ? {} : { 'idempotency-key': key }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new CisUnreachableError(`CIS ${method} ${path}: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (response.status >= 500)
      throw new CisUnreachableError(`CIS ${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
    const parsed = json(text);
    if (response.ok) {
      if (parsed !== undefined) return parsed as T;
      throw badAnswer(method, path, `${response.status} is not JSON`);
    }
    // A refusal keeps its code; its status only when it speaks of the owner's request (the
    // vendor's rule for the broker): a 401 about the peer's own signed call is no wrong bearer
    // token of the owner's, and is 502 here. No NetPay problem at all: not the CIS answering.
    const problem =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    if (typeof problem.code !== 'string' || !CODE.test(problem.code))
      throw badAnswer(method, path, `${response.status} without a NetPay problem`);
    throw new NetPayError(problem.code, typeof problem.detail === 'string' ? problem.detail : text, {
      status: remoteStatus(response.status),
      details: problem,
    });
  }
}

const CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/;

function json(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The CIS's URL answers something that is not the CIS's API (a proxy's page, no JSON): its failure. */
function badAnswer(method: string, path: string, what: string): NetPayError {
  return new NetPayError('PEER.CIS_BAD_ANSWER', `CIS ${method} ${path}: ${what}`, { status: 502 });
}
