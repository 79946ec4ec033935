import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '#event-store';

/**
 * Metadata of the broker's appends. Chain streams are read by vendors, so their metadata never
 * carries a customer id nor a correlation id shared with the customer's other chains.
 */
export function brokerMetadata(
  correlationId: string = randomUUID(),
  causationId = correlationId,
): EventMetadata {
  return { correlationId, causationId, actor: 'broker' };
}

/** Metadata inside broker-private streams: the customer may be named as the actor. */
export function customerMetadata(customerId: string, correlationId: string = randomUUID()): EventMetadata {
  return { correlationId, causationId: correlationId, actor: `customer:${customerId}` };
}

export function adminMetadata(correlationId: string = randomUUID()): EventMetadata {
  return { correlationId, causationId: correlationId, actor: 'operator' };
}
