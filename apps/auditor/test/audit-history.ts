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
  const store = new InMemoryEventStore();
  await writeHistory(store, appends);
  const audit = new Audit(options);
  await replayStore(store, audit, {
    ...(options.from === undefined ? {} : { from: options.from }),
    pageSize: options.pageSize ?? 7,
  });
  await store.close();
  return audit.finish();
}
