import type { RecordSignature, RedemptionItemAccepted, RedemptionItemRejected } from '#events';
import type { BatchVerdict } from '../domain/verify-batch.js';

type Verdict = RedemptionItemAccepted | RedemptionItemRejected;

/** The batch's verdicts as events, in item order, each naming its item and signed by `sign`. */
export function verdictEvents(
  batchId: string,
  verdict: BatchVerdict,
  at: string,
  sign: (unsigned: Verdict) => RecordSignature,
): Verdict[] {
  return verdict.verdicts.map((v): Verdict => {
    const range = { batchId, item: v.item, chainId: v.chainId, fromIndex: v.fromIndex, toIndex: v.toIndex };
    const unsigned: Verdict = v.ok
      ? {
          type: 'RedemptionItemAccepted',
          version: 1,
          data: { ...range, amount: v.amount, currency: v.currency, at },
        }
      : {
          type: 'RedemptionItemRejected',
          version: 1,
          data: { ...range, reason: v.reason, detail: v.detail, at },
        };
    return unsigned.type === 'RedemptionItemAccepted'
      ? { ...unsigned, data: { ...unsigned.data, signature: sign(unsigned) } }
      : { ...unsigned, data: { ...unsigned.data, signature: sign(unsigned) } };
  });
}
