import type { AuditReport } from '../core/report.js';

/** How the replay went, measured by the CLI (the core has no clock). */
export interface RunInfo {
  /** e.g. `jetstream NETPAY_EVENTS at nats://127.0.0.1:4222`. */
  readonly store: string;
  readonly durationMs: number;
  readonly eventsPerSecond: number;
  readonly pages: number;
  readonly primedStreams: number;
  readonly brokerKeyIds: readonly string[];
}

/** The whole report for machines; global positions (bigint) become decimal strings. */
export function renderJson(report: AuditReport, run: RunInfo): string {
  return JSON.stringify({ ...report, run }, (_key, value: unknown) =>
    typeof value === 'bigint' ? value.toString() : value,
  );
}
