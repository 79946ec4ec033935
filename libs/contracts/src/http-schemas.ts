import { apiSchema, arrayOf, int, isoTime, object, oneOfValues, str } from '#platform';

// The protocol's objects as the HTTP answers of the broker and the vendors carry them
// (`libs/protocol/src/types.ts`), named once for the OpenAPI documents.

const hex = (bytes: number) => str({ pattern: `^[0-9a-f]{${bytes * 2}}$` });
const id = () => str({ pattern: '^[A-Za-z0-9_]{1,64}$' });
const keyId = () => str({ pattern: '^[A-Za-z0-9_.:-]{1,64}$' });
const currency = () => str({ pattern: '^[A-Z]{3}$' });

export const TOUCHSTONE_SCHEMA = apiSchema(
  'Touchstone',
  object(
    {
      chainId: id(),
      alg: oneOfValues('sha256', 'md5'),
      root: str({ pattern: '^[0-9a-f]+$', description: 'W[0], the root of the chain' }),
      length: int({ minimum: 1, description: 'n: paywords W[1] … W[n]' }),
      coinValue: int({ minimum: 1, description: 'integer minor units of `currency`' }),
      currency: currency(),
      issuedAt: isoTime(),
      expiresAt: isoTime(),
      brokerKeyId: keyId(),
      signature: hex(64),
    },
    { vendorRestriction: arrayOf(id()) },
  ),
);

export const PUBLIC_KEY_RECORD_SCHEMA = apiSchema(
  'PublicKeyRecord',
  object({ keyId: keyId(), publicKey: hex(32) }, { ownerId: str() }),
);

export const VENDOR_KEY_REPLY_SCHEMA = apiSchema(
  'VendorKeys',
  object({
    vendorId: id(),
    keys: arrayOf(PUBLIC_KEY_RECORD_SCHEMA, { description: 'oldest first' }),
    certificates: arrayOf(
      object({
        vendorId: id(),
        keyId: keyId(),
        publicKey: hex(32),
        notBefore: isoTime(),
        notAfter: isoTime(),
        brokerKeyId: keyId(),
        signature: hex(64),
      }),
      { description: "the broker's certificate of each key, same order" },
    ),
  }),
);

export const RECEIPT_SCHEMA = apiSchema(
  'Receipt',
  object(
    {
      receiptId: str({ description: 'the authorisation number' }),
      vendorId: id(),
      chainId: id(),
      fromIndex: int({ minimum: 1 }),
      toIndex: int({ minimum: 1 }),
      amount: int({ minimum: 0, description: 'integer minor units' }),
      currency: currency(),
      resource: str(),
      at: isoTime(),
      vendorKeyId: keyId(),
      signature: hex(64),
    },
    {
      batch: object({
        index: int({ minimum: 0 }),
        size: int({ minimum: 2 }),
        path: arrayOf(hex(32)),
      }),
    },
  ),
);
