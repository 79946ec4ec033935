import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam } from '@nestjs/swagger';
import {
  contentId,
  DOUBLE_SPEND_PROOF_SCHEMA,
  INDEX_ENTRY_SCHEMA,
  INDEX_STATEMENT_SCHEMA,
  P2P_REDEMPTION_SCHEMA,
  PEER_CALL_SCHEMA,
  PSEUDONYM_CERTIFICATE_SCHEMA,
  pseudonym,
  REVOCATION_NOTICE_SCHEMA,
  TOUCHSTONE_SCHEMA,
} from '#contracts';
import { ApiRefusalCodes, apiSchema, arrayOf, int, isoTime, object, str, type ApiSchema } from '#platform';
import { P2P } from '#protocol';
import { CIS_ERROR } from './cis.core.js';

// The CIS's HTTP requests, answers and refusals for its OpenAPI document; the answers are checked
// against real ones in test/openapi-p2p-answers.int-spec.ts.

const hex = (bytes: number) => str({ pattern: `^[0-9a-f]{${bytes * 2}}$` });

/** A signed peer call's refusals (`CisCore.authenticate`): every route under /peers/{pseudonym}. */
export const CALL_REFUSALS = {
  401: ['P2P.CALL_UNSIGNED', P2P.CALL_SIGNATURE_INVALID, P2P.CALL_STALE, 'P2P.CALL_REPLAYED'],
  403: [P2P.PSEUDONYM_REVOKED],
  404: [CIS_ERROR.NOT_REGISTERED],
} as const;

export const PseudonymParam = (): MethodDecorator =>
  ApiParam({ name: 'pseudonym', description: 'ps_<16 hex>', schema: pseudonym() });

/** A body the pseudonym key signs: its fields and `call` (the signature over their digest). */
export function SignedCallBody(
  fields: Record<string, ApiSchema>,
  optional: Record<string, ApiSchema> = {},
): MethodDecorator {
  return ApiBody({
    description: 'The payload and `call`: a PeerCall over the SHA-256 of the canonical payload.',
    schema: object({ ...fields, call: PEER_CALL_SCHEMA }, optional),
  });
}

export const ContentIdParam = (): MethodDecorator =>
  ApiParam({ name: 'contentId', description: '1-64 of A-Z a-z 0-9 _ . -', schema: contentId() });

export const REGISTRATION_BODY = object({
  identity: str({ minLength: 1, maxLength: 200, description: 'sealed: only the CIS can open it' }),
  publicKey: hex(32),
  keyId: str({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' }),
  at: isoTime(),
  nonce: hex(16),
  signature: hex(64),
});

export const REGISTERED = apiSchema(
  'PeerRegistered',
  object({ pseudonym: pseudonym(), certificate: PSEUDONYM_CERTIFICATE_SCHEMA }),
);

const POLICY_FIELDS = {
  periodStart: isoTime(),
  base: int({ minimum: 0 }),
  multiple: int({ minimum: 0 }),
  supplied: int({ minimum: 0, description: 'coins this peer supplied (sold) so far' }),
  allowance: int({ minimum: 0, description: 'base + multiple × supplied' }),
  boughtBefore: int({ minimum: 0 }),
};

export const PEER_PURCHASE = apiSchema(
  'PeerPurchase',
  object({
    purchaseId: str({ pattern: '^pp_[0-9a-f]{24}$' }),
    chainId: str({ pattern: '^ps_[0-9a-f]{16}_c[0-9a-f]{16}$' }),
    seed: str({ pattern: '^[0-9a-f]+$', description: 'W[n+1]: the wallet derives the chain (never stored)' }),
    touchstone: TOUCHSTONE_SCHEMA,
    policy: object(POLICY_FIELDS),
  }),
);

export const PEER_STANDING = apiSchema(
  'PeerStanding',
  object(
    { ...POLICY_FIELDS, remaining: int({ minimum: 0 }) },
    { tokens: int({ description: 'nominal mode: community tokens held' }) },
  ),
);

export const INDEX_ENTRY = INDEX_ENTRY_SCHEMA;
export const INDEX_ENTRIES = arrayOf(INDEX_ENTRY_SCHEMA);
export const WITHDRAWN = object({ withdrawn: { type: 'boolean', description: 'false: it was not listed' } });
export const ALIVE = object({
  ok: { type: 'boolean', enum: [true] },
  listed: arrayOf(str({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }), {
    description: 'the content ids the index lists for this peer now (a peer re-announces what is missing)',
  }),
});
export const REDEMPTION = P2P_REDEMPTION_SCHEMA;
export const REDEEM_BODY = {
  statements: arrayOf(INDEX_STATEMENT_SCHEMA, { maxItems: 10_000 }),
  proofs: arrayOf(DOUBLE_SPEND_PROOF_SCHEMA, { maxItems: 1000 }),
};
export const DOUBLE_SPEND_PROVEN = apiSchema(
  'DoubleSpendProven',
  object({
    pseudonym: pseudonym(),
    overlap: arrayOf(int({ minimum: 1 }), {
      minItems: 2,
      maxItems: 2,
      description: 'first and last position',
    }),
    notice: REVOCATION_NOTICE_SCHEMA,
  }),
);
export const REVOCATIONS = arrayOf(REVOCATION_NOTICE_SCHEMA);
export const CIS_KEYS = arrayOf(object({ keyId: str(), publicKey: hex(32) }));

/** The refusals of a route under /peers/{pseudonym}: the call's, then its own. */
export function ApiCallRefusals(own: Readonly<Record<number, readonly string[]>> = {}): MethodDecorator {
  const merged: Record<number, string[]> = {};
  for (const codes of [CALL_REFUSALS, own])
    for (const [status, list] of Object.entries(codes)) (merged[Number(status)] ??= []).push(...list);
  return applyDecorators(ApiRefusalCodes(merged), PseudonymParam());
}
