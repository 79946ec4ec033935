export interface EventStoreDbConfig {
  /** e.g. `esdb://localhost:2113?tls=false` (KurrentDB accepts the same `esdb://` / `kurrentdb://` forms). */
  readonly connectionString: string;
  /** Category of the streams that hold subscription checkpoints. Default `netpay_checkpoint`. */
  readonly checkpointCategory?: string;
  /** Deadline for each call, in ms. Default 10 s. */
  readonly deadlineMs?: number;
}

export interface ResolvedEventStoreDbConfig {
  readonly connectionString: string;
  readonly checkpointCategory: string;
  readonly deadlineMs: number;
}

export function resolveConfig(config: EventStoreDbConfig): ResolvedEventStoreDbConfig {
  return {
    connectionString: config.connectionString,
    checkpointCategory: config.checkpointCategory ?? 'netpay_checkpoint',
    deadlineMs: config.deadlineMs ?? 10_000,
  };
}
