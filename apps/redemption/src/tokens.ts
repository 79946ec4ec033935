/** Nest injection tokens of the redemption worker. */
export const REDEMPTION_STORE = Symbol.for('netpay.redemption.event-store');
export const REDEMPTION_GATEWAY = Symbol.for('netpay.redemption.payment-gateway');
export const REDEMPTION_VIEW = Symbol.for('netpay.redemption.view');
export const REDEMPTION_WORKER = Symbol.for('netpay.redemption.worker');
export const REDEMPTION_LEASE = Symbol.for('netpay.redemption.lease');

/** HTTP status of the worker's own codes. */
export const REDEMPTION_STATUS_BY_CODE: Readonly<Record<string, number>> = {
  'REDEMPTION.PROJECTION_BEHIND': 503,
  'REDEMPTION.PROJECTION_LOST': 503,
  'REDEMPTION.PROJECTION_INCONSISTENT': 503,
  'REDEMPTION.INVALID_DAY': 400,
  'REDEMPTION.DAY_IN_FUTURE': 422,
  'REDEMPTION.NOT_LEADER': 503,
  'ADMIN.UNAUTHORISED': 401,
};
