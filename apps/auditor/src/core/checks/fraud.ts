import {
  checkRecordSignature,
  type CustomerReinstated,
  type CustomerRevoked,
  FRAUD_REASONS,
  type FraudEvidence,
  vendorOfRedemptionStream,
  verdictSigningBytes,
  type VendorFraudRecorded,
  type VendorReinstated,
  type VendorSuspended,
} from '#events';
import { verifyRevocationNotice, type SignedRevocationNotice } from '#protocol';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/**
 * R7, the fraud response: the broker suspends a vendor only on refusals the redemption worker
 * signed for fraud, each citing a refusal the log holds, with a notice it signed about that
 * vendor; while suspended the vendor is handed no chain, claims none, and is paid nothing.
 */
export function onVendorFraudRecorded(ctx: CheckContext, data: VendorFraudRecorded['data']): void {
  checkEvidence(ctx, data.vendorId, [data.evidence], `strike against ${data.vendorId}`);
}

export function onVendorSuspended(ctx: CheckContext, data: VendorSuspended['data']): void {
  const what = `suspension of ${data.vendorId}`;
  if (!brokerNotice(ctx, data.vendorId, data.notice, false, what)) return;
  if (data.evidence.length === 0)
    ctx.report.violation(RULES.SUSPENSION_WITHOUT_EVIDENCE, `${what}: no evidence`);
  else checkEvidence(ctx, data.vendorId, data.evidence, what);
  ctx.ledger.suspendedVendors.set(data.vendorId, data.notice.at);
}

export function onVendorReinstated(ctx: CheckContext, data: VendorReinstated['data']): void {
  if (!brokerNotice(ctx, data.vendorId, data.notice, true, `reinstatement of ${data.vendorId}`)) return;
  ctx.ledger.suspendedVendors.delete(data.vendorId);
}

/** A forged suspension or lift is reported and not applied (it changes no vendor's standing). */
function brokerNotice(
  ctx: CheckContext,
  vendorId: string,
  notice: SignedRevocationNotice,
  lifted: boolean,
  what: string,
): boolean {
  const problem =
    notice.kind !== 'vendor' || notice.id !== vendorId
      ? `its notice names ${notice.kind} ${notice.id}`
      : (notice.lifted === true) !== lifted
        ? lifted
          ? 'its notice is a suspension, not a lift'
          : 'its notice is a lift'
        : verifyRevocationNotice(notice, ctx.ledger.brokerKeys).ok
          ? undefined
          : 'its notice is not signed by a broker key';
  if (problem === undefined) return true;
  ctx.report.violation(RULES.SUSPENSION_UNSIGNED, `${what}: ${problem}; not applied`);
  return false;
}

function checkEvidence(
  ctx: CheckContext,
  vendorId: string,
  evidence: readonly FraudEvidence[],
  what: string,
): void {
  for (const e of evidence) {
    const ref = `${e.stream}/${e.verdict.batchId}/${e.verdict.item ?? ''}`;
    const keys = ctx.ledger.redemptionKeys;
    const problem =
      vendorOfRedemptionStream(e.stream) !== vendorId
        ? `cites ${ref}, not a refusal of ${vendorId}`
        : !FRAUD_REASONS.has(e.verdict.reason)
          ? `cites ${ref}, refused for ${e.verdict.reason}, which is not fraud`
          : !ctx.ledger.fraudRefusals.has(ref)
            ? `cites ${ref}, a refusal the log does not hold`
            : keys.size > 0 &&
                checkRecordSignature(
                  e.verdict.signature,
                  () => verdictSigningBytes(e.stream, { type: 'RedemptionItemRejected', data: e.verdict }),
                  keys,
                ) !== 'valid'
              ? `cites ${ref} without the worker's valid signature`
              : undefined;
    if (problem !== undefined) ctx.report.violation(RULES.SUSPENSION_WITHOUT_EVIDENCE, `${what}: ${problem}`);
  }
}

/**
 * R7, customers: a revocation or lift counts only with the broker's signed notice about that
 * customer (a forged one is reported and not applied); while revoked, the customer requests no
 * purchase and no re-issue (`onPurchaseByCustomer`).
 */
export function onCustomerRevoked(ctx: CheckContext, data: CustomerRevoked['data']): void {
  if (!customerNotice(ctx, data.customerId, data.notice, false, `revocation of customer ${data.customerId}`))
    return;
  if (!ctx.ledger.revokedCustomers.has(data.customerId))
    ctx.ledger.revokedCustomers.set(data.customerId, data.notice.at);
}

export function onCustomerReinstated(ctx: CheckContext, data: CustomerReinstated['data']): void {
  if (
    !customerNotice(ctx, data.customerId, data.notice, true, `reinstatement of customer ${data.customerId}`)
  )
    return;
  ctx.ledger.revokedCustomers.delete(data.customerId);
}

/**
 * A purchase or re-issue the customer asked for (log order): refused by the broker while it is
 * revoked, or while another customer registered with the same bank account is (a revocation
 * covers the account its customer proved they control).
 */
export function onPurchaseByCustomer(ctx: CheckContext, customerId: string, what: string): void {
  const revokedAt = ctx.ledger.revokedCustomers.get(customerId);
  if (revokedAt !== undefined) {
    ctx.report.violation(
      RULES.PURCHASE_BY_REVOKED_CUSTOMER,
      `${what} by customer ${customerId}, revoked since ${revokedAt} and not reinstated`,
    );
    return;
  }
  const account = ctx.ledger.bankAccounts.get(customerId);
  if (account === undefined) return;
  for (const [revoked, at] of ctx.ledger.revokedCustomers) {
    if (ctx.ledger.bankAccounts.get(revoked) !== account) continue;
    ctx.report.violation(
      RULES.PURCHASE_BY_REVOKED_CUSTOMER,
      `${what} by customer ${customerId}, whose bank account is that of customer ${revoked}, revoked since ${at} and not reinstated`,
    );
    return;
  }
}

function customerNotice(
  ctx: CheckContext,
  customerId: string,
  notice: SignedRevocationNotice,
  lifted: boolean,
  what: string,
): boolean {
  const problem =
    notice.kind !== 'customer' || notice.id !== customerId
      ? `its notice names ${notice.kind} ${notice.id}`
      : (notice.lifted === true) !== lifted
        ? lifted
          ? 'its notice is a revocation, not a lift'
          : 'its notice is a lift'
        : verifyRevocationNotice(notice, ctx.ledger.brokerKeys).ok
          ? undefined
          : 'its notice is not signed by a broker key';
  if (problem === undefined) return true;
  ctx.report.violation(RULES.CUSTOMER_REVOCATION_UNSIGNED, `${what}: ${problem}; not applied`);
  return false;
}
