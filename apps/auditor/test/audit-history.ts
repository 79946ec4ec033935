import { InMemoryEventStore } from '#event-store';
import { replayStore } from '../src/cli/replay.js';
import { Audit, type AuditOptions } from '../src/core/audit.js';
import type { AuditReport } from '../src/core/report.js';
import { writeHistory, type Append } from './history.js';

/** Writes the history to an in-memory store and audits it through the CLI's replay loop. */
export async function auditHistory(
  appends: readonly Append[],
  options: AuditOptions & { readonly pageSize?: number } = {},
): Promise<AuditReport> {
  // The store records each event at its own `at` (or the append's `recordedAt`): the history's
  // clock, as a store would have stamped it while the history happened.
  let clock = new Date('2026-11-20T00:00:00.000Z');
  const store = new InMemoryEventStore({ now: () => clock });
  await writeHistory(store, appends, (append) => {
    const at = append.recordedAt ?? (append.event.data as { at?: unknown }).at;
    if (typeof at === 'string' && Number.isFinite(Date.parse(at))) clock = new Date(at);
  });
  const audit = new Audit(options);
  await replayStore(store, audit, {
    ...(options.from === undefined ? {} : { from: options.from }),
    pageSize: options.pageSize ?? 7,
  });
  await store.close();
  return audit.finish();
}
