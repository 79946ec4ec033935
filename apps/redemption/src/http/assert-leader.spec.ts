import { describe, expect, it } from '@jest/globals';
import { InMemoryLeaseRegister, LeaderLease } from '#event-store';
import type { RedemptionWorker } from '../redemption-worker.js';
import { assertLeader } from './nights.http.controller.js';

/** A worker whose writes are fenced by `lease` (all the check reads of it). */
const workerWith = (lease: LeaderLease): RedemptionWorker =>
  ({ fence: lease }) as unknown as RedemptionWorker;

describe('assertLeader: why a night is refused', () => {
  it('a standby that never took the lease: REDEMPTION.NOT_LEADER', async () => {
    const register = new InMemoryLeaseRegister();
    const leader = new LeaderLease(register, { holder: 'a', ttlMs: 10_000 });
    await leader.step();
    const standby = new LeaderLease(register, { holder: 'b', ttlMs: 10_000 });
    await standby.step();
    expect(() => assertLeader(workerWith(standby))).toThrow(
      expect.objectContaining({ code: 'REDEMPTION.NOT_LEADER' }),
    );
    expect(() => assertLeader(workerWith(leader))).not.toThrow();
  });

  it('a leader that could not renew its lease (the store away): EVENT_STORE.UNAVAILABLE, not "a standby"', async () => {
    let now = 0;
    const lease = new LeaderLease(new InMemoryLeaseRegister(), {
      holder: 'a',
      ttlMs: 10_000,
      now: () => now,
    });
    await lease.step();
    now = 10_001; // no renewal came through
    expect(() => assertLeader(workerWith(lease))).toThrow(
      expect.objectContaining({ code: 'EVENT_STORE.UNAVAILABLE', status: 503 }),
    );
  });
});
