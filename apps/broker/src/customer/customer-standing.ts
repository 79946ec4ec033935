import type { CustomerReinstated, CustomerRevocationReason, CustomerRevoked, NetPayEvent } from '#events';
import type { RevocationNoticeBody, SignedRevocationNotice } from '#protocol';

/** A customer's fraud standing as folded from `customer-<id>` (the operator's revocation). */
export interface CustomerStanding {
  /** The revocation in force. */
  readonly revoked?: CustomerRevoked['data'];
  /** The latest notice (revocation or lift): what the revocation list serves. */
  readonly notice?: SignedRevocationNotice;
}

export const cleanCustomerStanding: CustomerStanding = {};

/** Folds the customer's stream (a stored event, or one just decided). */
export function evolveCustomerStanding(state: CustomerStanding, event: NetPayEvent): CustomerStanding {
  switch (event.type) {
    case 'CustomerRevoked':
      return { revoked: event.data, notice: event.data.notice };
    case 'CustomerReinstated':
      return { notice: event.data.notice };
    default:
      return state;
  }
}

export interface CustomerStandingPolicy {
  readonly at: string;
  /** Signs a notice with the broker's current key (its `brokerKeyId` is filled in). */
  readonly sign: (body: Omit<RevocationNoticeBody, 'brokerKeyId'>) => SignedRevocationNotice;
}

/**
 * The operator's revocation: `CustomerRevoked` with the signed `customer` notice, or nothing when
 * the customer is revoked already (a retried or repeated revocation changes nothing: the first
 * reason and evidence stand until a lift).
 */
export function decideRevokeCustomer(
  state: CustomerStanding,
  customerId: string,
  command: { readonly reason: CustomerRevocationReason; readonly evidence: readonly string[] },
  policy: CustomerStandingPolicy,
): CustomerRevoked[] {
  if (state.revoked) return [];
  const notice = policy.sign({ kind: 'customer', id: customerId, reason: command.reason, at: policy.at });
  return [
    {
      type: 'CustomerRevoked',
      version: 1,
      data: { customerId, reason: command.reason, evidence: [...command.evidence], notice, at: policy.at },
    },
  ];
}

/** The operator's lift: nothing when the customer is not revoked (a retried lift is a no-op). */
export function decideReinstateCustomer(
  state: CustomerStanding,
  customerId: string,
  note: string,
  policy: CustomerStandingPolicy,
): CustomerReinstated[] {
  if (!state.revoked) return [];
  const notice = policy.sign({ kind: 'customer', id: customerId, reason: note, at: policy.at, lifted: true });
  return [{ type: 'CustomerReinstated', version: 1, data: { customerId, note, notice, at: policy.at } }];
}
