import { Logger } from '@nestjs/common';
import { BROKER_ERROR, brokerError } from '../shared/broker-errors.js';
import type { PaymentGateway } from './payment-gateway.port.js';

const logger = new Logger('Bank');

/**
 * A call to the bank, whose failure to answer is `503 PAYMENT.UNAVAILABLE` (retry later: every
 * call that moves money carries an idempotency key, so a retry moves it at most once).
 */
export async function askBank<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    logger.warn(`the bank did not answer: ${error instanceof Error ? error.message : String(error)}`);
    throw brokerError(BROKER_ERROR.PAYMENT_UNAVAILABLE, 'the bank cannot be reached; retry later', 503);
  }
}

/**
 * Only an account's owner may have it charged or name it for a payout: the bank must confirm the
 * mandate it issued for the account (`403 BANK.MANDATE_INVALID`), or nothing is done with it.
 */
export async function proveAccountControl(
  bank: PaymentGateway,
  account: string,
  mandate: string,
): Promise<void> {
  const verdict = await askBank(() => bank.verifyMandate({ account, mandate }));
  if (!verdict.ok) {
    throw brokerError(
      BROKER_ERROR.BANK_MANDATE_INVALID,
      `the bank does not confirm that you control account ${account}: send the mandate it issued for it`,
      403,
    );
  }
}
