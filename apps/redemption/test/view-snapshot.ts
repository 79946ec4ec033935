import type { RedemptionView } from '../src/projection/redemption-view.js';

/** Everything a read model answers about some days and batches, in a comparable form. */
export async function viewSnapshot(
  view: RedemptionView,
  days: readonly string[],
  batchIds: readonly string[] = [],
): Promise<unknown> {
  const pending = [];
  for (const vd of await view.pendingVendorDays()) {
    pending.push({
      ...vd,
      chains: Object.fromEntries([...(await view.pendingChains(vd.vendorId, vd.businessDay))].sort()),
    });
  }
  const earned: Record<string, unknown> = {};
  for (const day of days) earned[day] = Object.fromEntries([...(await view.earnedOn(day))].sort());
  const batches = [];
  for (const id of batchIds) batches.push(await view.batch(id));
  const open = (await view.openBatches()).map((b) => b.batchId);
  return { pending, earned, batches, open };
}
