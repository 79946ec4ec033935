/** Nest injection tokens of the broker's ports. */
export const EVENT_STORE = Symbol.for('netpay.broker.event-store');
export const PAYMENT_GATEWAY = Symbol.for('netpay.broker.payment-gateway');
