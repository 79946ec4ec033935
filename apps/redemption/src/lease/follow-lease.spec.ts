import { afterEach, describe, expect, it } from '@jest/globals';
import {
  type GlobalPosition,
  InMemoryEventStore,
  InMemoryLeaseRegister,
  LeaderLease,
  type LeaseRecord,
  type LeaseRegister,
  type StoredLease,
} from '#event-store';
import { ChainWorld } from '../../test/chain-world.js';
import { honestDay } from '../../test/scenarios.js';
import { viewSnapshot } from '../../test/view-snapshot.js';
import { InMemoryRedemptionView } from '../projection/in-memory-redemption-view.js';
import { RedemptionProjection } from '../projection/redemption-projection.js';
import type { ViewOp } from '../projection/redemption-view.js';
import { FencedView } from './fenced.js';
import { followLease } from './follow-lease.js';

const TZ = 'Pacific/Auckland';
const DAYS = ['2026-03-10'];
const TTL = 9_000;

/** A view that counts its checkpoint reads (one per (re)start of the subscription) and commits. */
class CountingView extends InMemoryRedemptionView {
  loads = 0;
  commits = 0;
  afterCommit: (n: number) => void = () => undefined;

  override async load(): Promise<GlobalPosition | undefined> {
    this.loads += 1;
    return super.load();
  }

  override async commit(ops: readonly ViewOp[], position: GlobalPosition, eventId?: string): Promise<void> {
    await super.commit(ops, position, eventId);
    this.commits += 1;
    this.afterCommit(this.commits);
  }
}

/** A lease register that refuses `a`'s writes while `down` (a store too slow to answer in time). */
class FlakyRegister implements LeaseRegister {
  down = false;
  private readonly inner = new InMemoryLeaseRegister();
  read(): Promise<StoredLease | undefined> {
    return this.inner.read();
  }
  write(record: LeaseRecord, expectedSeq: number): Promise<number | undefined> {
    if (this.down && record.holder === 'a') return Promise.reject(new Error('no reply in time'));
    return this.inner.write(record, expectedSeq);
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('the redemption projection behind its lease', () => {
  const running: RedemptionProjection[] = [];
  const leases: LeaderLease[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((p) => p.stop()));
    await Promise.all(leases.splice(0).map((l) => l.stop()));
  });

  async function world(): Promise<{ store: InMemoryEventStore; reference: CountingView }> {
    const store = new InMemoryEventStore();
    await honestDay(new ChainWorld(store));
    // The same log folded in one go, without a lease: what the model must end up as.
    const reference = new CountingView();
    const p = new RedemptionProjection(store, reference, {
      subscriptionId: 'ref',
      timeZone: TZ,
      maxBatch: 1,
    });
    running.push(p);
    p.start();
    await p.waitUntilCaughtUp();
    return { store, reference };
  }

  function worker(
    store: InMemoryEventStore,
    view: CountingView,
    register: LeaseRegister,
    holder: string,
    now: () => number,
    log: string[],
  ): { lease: LeaderLease; projection: RedemptionProjection } {
    const lease = new LeaderLease(register, { holder, ttlMs: TTL, now });
    const projection = new RedemptionProjection(store, new FencedView(view, lease), {
      subscriptionId: 'p',
      timeZone: TZ,
      maxBatch: 1,
      restartDelayMs: 10,
      lease,
    });
    followLease(lease, projection, { log: (m) => log.push(m), warn: (m) => log.push(m) });
    running.push(projection);
    leases.push(lease);
    return { lease, projection };
  }

  it('goes on with its rebuild where it was when it takes its lease back with nobody in between', async () => {
    const { store, reference } = await world();
    let t = 1_000;
    const register = new FlakyRegister();
    const view = new CountingView();
    const log: string[] = [];
    const { lease, projection } = worker(store, view, register, 'a', () => t, log);
    // Three batches in, the store starves the lease: it runs out before a renewal is answered.
    let ranOut!: () => void;
    const starved = new Promise<void>((resolve) => (ranOut = resolve));
    view.afterCommit = (n) => {
      if (n !== 3) return;
      t += TTL;
      ranOut();
    };
    await lease.step();
    await starved;
    register.down = true;
    await expect(lease.step()).rejects.toThrow('no reply in time');
    await settle();
    expect(lease.held).toBe(false);
    expect(view.commits).toBe(3); // nothing written without the lease
    register.down = false;
    await lease.step(); // takes its own record back at once
    expect(lease.held).toBe(true);
    await projection.waitUntilCaughtUp();

    expect(view.loads).toBe(1); // the subscription never went back to the checkpoint
    expect(view.commits).toBe(reference.commits); // every event folded and committed once
    expect(await viewSnapshot(view, DAYS)).toEqual(await viewSnapshot(reference, DAYS));
    expect(log.join('\n')).toMatch(/a lost the lease[^]*a holds the lease again/);
  });

  it('starts again from the checkpoint when another instance held the lease in between', async () => {
    const { store, reference } = await world();
    let t = 1_000;
    const register = new FlakyRegister();
    const view = new CountingView(); // one shared read model (one Redis)
    const log: string[] = [];
    const a = worker(store, view, register, 'a', () => t, log);
    const b = worker(store, view, register, 'b', () => t, log);
    let ranOut!: () => void;
    const starved = new Promise<void>((resolve) => (ranOut = resolve));
    view.afterCommit = (n) => {
      if (n !== 3) return;
      register.down = true;
      ranOut();
    };
    await a.lease.step();
    await starved;
    await b.lease.step(); // b watches a's record
    t += TTL; // a's lease ran out, unrenewed for a whole TTL: b takes over and folds the rest
    await expect(a.lease.step()).rejects.toThrow('no reply in time');
    await b.lease.step();
    expect(b.lease.held).toBe(true);
    await b.projection.waitUntilCaughtUp();
    await b.lease.stop();
    await b.projection.stop();
    register.down = false;
    await a.lease.step(); // refused: b wrote since
    await a.lease.step(); // b released it: a takes it, not as a continuation
    await settle();
    await a.projection.waitUntilCaughtUp();

    expect(view.loads).toBe(3); // a, b, then a again from the checkpoint b left
    // a's fold in hand when it lost the lease was dropped, not committed on top of b's work.
    expect(view.commits).toBe(reference.commits);
    expect(await viewSnapshot(view, DAYS)).toEqual(await viewSnapshot(reference, DAYS));
  });
});
