import { NetPayError } from '#platform';

/** What a payer is told to do when a spend's outcome is unknown. */
export const SAME_REQUEST_RETRY =
  'Repeat this very request, with the same payment and the same Idempotency-Key: a spend that was ' +
  'recorded is then answered with its receipt, and one that was not is recorded once. Do not show ' +
  'the payword for anything else: it may already be spent.';

/**
 * The append of a spend failed in a way that does not say whether it landed (a time-out or a
 * broken connection to the store, unlike a conflict). The answer says so — `outcome: 'unknown'`
 * with a `retry` hint — keeping the store's own code and a 503. A payer that moved on to another
 * resource with the same payword would be refused as a replay and lose the coin.
 */
export function outcomeUnknown(error: unknown, chainId: string): NetPayError {
  return new NetPayError(
    'EVENT_STORE.UNAVAILABLE',
    `the spend on chain ${chainId} may or may not have been recorded (the event store did not confirm it)`,
    {
      status: 503,
      title: 'Outcome unknown',
      details: { chainId, outcome: 'unknown', retry: SAME_REQUEST_RETRY },
      cause: error,
    },
  );
}
