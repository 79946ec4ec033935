import { apiSchema, arrayOf, int, object, oneOfValues, str } from '#platform';

// The redemption worker's HTTP answers for the OpenAPI document (checked against real answers in
// test/openapi-answers.int-spec.ts).

const id = () => str({ pattern: '^[A-Za-z0-9_]{1,64}$' });
const day = () => str({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
const currency = () => str({ pattern: '^[A-Z]{3}$' });

export const NIGHT_REPORT = apiSchema(
  'NightReport',
  object({
    runId: str(),
    businessDay: day(),
    sealed: arrayOf(
      object({
        batchId: str(),
        stream: str(),
        vendorId: id(),
        businessDay: day(),
        currency: currency(),
        items: int(),
      }),
    ),
    outcomes: arrayOf(
      object(
        {
          batchId: str(),
          vendorId: id(),
          stream: str(),
          status: oneOfValues('paid', 'nothing-to-pay', 'declined', 'unpaid', 'refused', 'missing'),
          accepted: int({ minimum: 0 }),
          rejected: int({ minimum: 0 }),
          amount: int({ minimum: 0, description: 'integer minor units' }),
        },
        { currency: currency(), paymentRef: str() },
      ),
    ),
    failures: arrayOf(object({ batchId: str(), error: str() }), { description: 'retried by the next run' }),
  }),
);

export const DAY_VIEW = apiSchema(
  'RedemptionDay',
  object({
    businessDay: day(),
    planned: arrayOf(
      object({
        vendorId: id(),
        businessDay: day(),
        currency: currency(),
        items: arrayOf(
          object({
            chainId: id(),
            fromIndex: int({ minimum: 1 }),
            toIndex: int({ minimum: 1 }),
            proofPayword: str({ pattern: '^[0-9a-f]+$' }),
          }),
        ),
        amount: int({ minimum: 0 }),
      }),
    ),
    earned: {
      type: 'object',
      description: 'vendor id → currency → value earned on the day, minor units',
      additionalProperties: { type: 'object', additionalProperties: int({ minimum: 0 }) },
    },
    open: arrayOf(
      object({
        batchId: str(),
        stream: str(),
        vendorId: id(),
        businessDay: day(),
        source: oneOfValues('broker', 'vendor'),
        items: int({ minimum: 0 }),
        verdicts: int({ minimum: 0 }),
        accepted: int({ minimum: 0 }),
        paid: { type: 'boolean' },
        sealedAt: str({ pattern: '^[0-9]+$' }),
      }),
    ),
  }),
);

export const SUBMITTED_CLAIM = apiSchema(
  'SubmittedClaim',
  object({ batchId: str(), stream: str(), created: { type: 'boolean', description: 'false: a retry' } }),
);
