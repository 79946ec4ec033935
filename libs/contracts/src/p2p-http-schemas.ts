import type { SchemaObject } from '@nestjs/swagger';
import { apiSchema, arrayOf, int, isoTime, object, oneOfValues, str } from '#platform';
import { NONCE_BYTES, REVOCATION_KINDS } from '#protocol';
import { TOUCHSTONE_SCHEMA } from './http-schemas.js';

// The P2P protocol's objects (`libs/protocol/src/p2p.ts`) as the CIS and the peers carry them over
// HTTP, named once for their OpenAPI documents (checked against real answers in
// test/openapi-p2p-answers.int-spec.ts).

const hex = (bytes: number) => str({ pattern: `^[0-9a-f]{${bytes * 2}}$` });
export const pseudonym = (): SchemaObject => str({ pattern: '^ps_[0-9a-f]{16}$' });
export const contentId = (): SchemaObject => str({ pattern: '^[A-Za-z0-9_.-]{1,64}$' });
const keyId = () => str({ minLength: 1, maxLength: 64 });

export const PSEUDONYM_CERTIFICATE_SCHEMA = apiSchema(
  'PseudonymCertificate',
  object({
    pseudonym: pseudonym(),
    keyId: keyId(),
    publicKey: hex(32),
    notBefore: isoTime(),
    notAfter: isoTime(),
    cisKeyId: keyId(),
    signature: hex(64),
  }),
);

export const INDEX_STATEMENT_SCHEMA = apiSchema(
  'IndexStatement',
  object({
    chainId: str({ pattern: '^[A-Za-z0-9_]{1,64}$' }),
    pseudonym: pseudonym(),
    payee: pseudonym(),
    contentId: str(),
    fromIndex: int({ minimum: 1, description: 'I: the first position paid' }),
    count: int({ minimum: 1, description: 'k: coins paid' }),
    payword: str({ pattern: '^[0-9a-f]+$', description: 'W[I+k-1]' }),
    at: isoTime(),
    nonce: hex(NONCE_BYTES),
    keyId: keyId(),
    signature: hex(64),
  }),
);

export const PEER_CALL_SCHEMA = apiSchema(
  'PeerCall',
  object(
    {
      pseudonym: pseudonym(),
      action: str({ description: '`buy`, `standing`, `announce`, `withdraw`, `heartbeat`, `redeem`' }),
      digest: hex(32),
      at: isoTime(),
      nonce: hex(NONCE_BYTES),
      signature: hex(64),
    },
    {},
  ),
);

export const DOUBLE_SPEND_PROOF_SCHEMA = apiSchema(
  'DoubleSpendProof',
  object({ first: INDEX_STATEMENT_SCHEMA, second: INDEX_STATEMENT_SCHEMA }),
);

export const REVOCATION_NOTICE_SCHEMA = apiSchema(
  'RevocationNotice',
  object(
    {
      kind: oneOfValues(...REVOCATION_KINDS),
      id: str(),
      reason: str(),
      at: isoTime(),
      brokerKeyId: keyId(),
      signature: hex(64),
    },
    { lifted: { type: 'boolean', enum: [true] } },
  ),
);

export const INDEX_ENTRY_SCHEMA = apiSchema(
  'IndexEntry',
  object({
    pseudonym: pseudonym(),
    contentId: contentId(),
    title: str({ minLength: 1, maxLength: 200 }),
    price: int({ minimum: 1, description: 'coins' }),
    sha256: hex(32),
    endpoint: str({ description: "the S-peer's base URL" }),
  }),
);

export const P2P_PAYMENT_SCHEMA = apiSchema(
  'P2PPayment',
  object({
    touchstone: TOUCHSTONE_SCHEMA,
    certificate: PSEUDONYM_CERTIFICATE_SCHEMA,
    statement: INDEX_STATEMENT_SCHEMA,
  }),
);

/** A CIS redemption: what was paid (integer minor units or community tokens) and what was refused. */
export const P2P_REDEMPTION_SCHEMA = apiSchema(
  'P2PRedemption',
  object({
    pseudonym: pseudonym(),
    redemptionId: str(),
    coins: int({ minimum: 0 }),
    amount: int({ minimum: 0, description: 'integer minor units (money) or tokens (nominal)' }),
    currency: str({ pattern: '^[A-Z]{3}$' }),
    mode: oneOfValues('money', 'nominal'),
    items: arrayOf(
      object({
        chainId: str(),
        digest: hex(32),
        fromIndex: int({ minimum: 1 }),
        toIndex: int({ minimum: 1 }),
        coins: int({ minimum: 1 }),
      }),
    ),
    refused: arrayOf(
      object({ digest: hex(32), code: str({ pattern: '^[A-Z][A-Z0-9_]*(\\.[A-Z0-9_]+)+$' }) }),
    ),
    proven: int({ minimum: 0, description: 'double spends proven by this redemption' }),
    at: isoTime(),
  }),
);
