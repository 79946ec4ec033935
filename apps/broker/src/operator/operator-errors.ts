/** Stable codes of the Mobile-NetPay Service Provider's endpoints. */
export const OPERATOR_ERROR = {
  /** The call did not come through the operator's gateway (no or wrong gateway token). */
  GATEWAY_UNAUTHORISED: 'OPERATOR.GATEWAY_UNAUTHORISED',
  /** The gateway named no subscriber, or one the SP does not serve. */
  SUBSCRIBER_UNKNOWN: 'OPERATOR.SUBSCRIBER_UNKNOWN',
  SUBSCRIBER_EXISTS: 'OPERATOR.SUBSCRIBER_EXISTS',
  SUBSCRIBER_NOT_FOUND: 'OPERATOR.SUBSCRIBER_NOT_FOUND',
  /** A top-up the account does not take (postpaid, barred, another currency, key reused). */
  TOP_UP_REFUSED: 'OPERATOR.TOP_UP_REFUSED',
} as const;
