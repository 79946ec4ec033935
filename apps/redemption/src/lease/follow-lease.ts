// How the redemption worker follows its lease (libs/event-store/src/lease/leader-lease.ts): the
// projection runs while this instance holds the lease. Losing it only pauses the projection (its
// commits wait for the lease, see RedemptionProjection's `lease` option): taken back over our own
// record, nobody else wrote the view meanwhile and the projection goes on where it was — a long
// rebuild is not thrown away because a renewal came late. Taken after another holder, the view
// moved on without us: the projection starts again from the view's checkpoint.
import type { LeaderLease } from '#event-store';
import type { RedemptionProjection } from '../projection/redemption-projection.js';

export interface LeaseLogger {
  log(message: string): void;
  warn(message: string): void;
}

export function followLease(lease: LeaderLease, projection: RedemptionProjection, logger: LeaseLogger): void {
  let restarting: Promise<void> = Promise.resolve();
  lease.on(
    (token, continued) => {
      if (continued && projection.started) {
        logger.log(
          `${lease.holder} holds the lease again (token ${token}), nobody held it meanwhile: the projection goes on`,
        );
        return;
      }
      logger.log(`${lease.holder} holds the lease (token ${token}): projection and nights run here`);
      // Stopped now, before any batch waiting for the lease wakes up: its fold may be stale.
      const stopped = projection.stop();
      restarting = restarting
        .then(() => stopped)
        .then(() => {
          if (lease.held) projection.start();
        });
    },
    (reason) => {
      logger.warn(`${lease.holder} lost the lease (${reason}): standing by, the projection waits for it`);
    },
  );
}
