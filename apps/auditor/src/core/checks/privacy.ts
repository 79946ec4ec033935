import type { EventMetadata } from '#event-store';
import { RULES } from '../rules.js';
import type { CheckContext } from './context.js';

/** Streams vendors read: chain streams (T, I, spends) and their own redemption batches. */
export const VENDOR_VISIBLE_CATEGORIES: ReadonlySet<string> = new Set(['chain', 'redemption']);

/**
 * R5: nothing a vendor can read names a customer. The raw data is scanned
 * (not the parsed event), so a field the services added on the side is
 * found too. Identities are those seen so far in the broker's private streams.
 */
export function scanForIdentity(
  ctx: CheckContext,
  data: unknown,
  metadata: EventMetadata | undefined,
  chainId: string | undefined,
): void {
  const ids = ctx.ledger.identities;
  if (ids.size === 0) return;
  const hit = ids.find(data, 'data') ?? ids.find(metadata, 'metadata');
  if (hit === undefined) return;
  ctx.report.violation(
    RULES.CUSTOMER_IDENTITY_EXPOSED,
    `${ctx.at.type} in ${ctx.at.stream} holds the ${hit.kind} of customer ${hit.customerId} at ${hit.path}`,
    chainId,
  );
}
