import { existsSync } from 'node:fs';
import { type JetStreamEventStoreConfig, type NatsIdentity, stackAuthFile, stackNats } from '#event-store';

/**
 * The local stack's NATS (`npm run stack:up` may run it on another port than 4222) and the
 * `test` identity there: a benchmark creates, fills and drops streams of its own. NATS_URL
 * without the stack's identities file: a NATS without authorization.
 */
const auth = existsSync(stackAuthFile()) ? stackNats('test') : undefined;

export const NATS_URL = process.env.NATS_URL ?? auth?.url ?? 'nats://127.0.0.1:4222';
export const benchIdentity: Partial<NatsIdentity> = auth?.identity ?? {};

/** A throwaway stream of the benchmark's own, created on connect. */
export function benchStore(streamName: string, subjectPrefix: string): JetStreamEventStoreConfig {
  return { servers: NATS_URL, streamName, subjectPrefix, ...benchIdentity, provision: true };
}
